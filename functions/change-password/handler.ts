// POST /functions/v1/change-password (seed 004: old_password, new_password, new_password2). Auth's
// updateUser does not ask for the current password, so we check it with Auth's password grant (which
// also feeds the lockout hook, so this cannot be used to guess passwords), set the new one as the
// caller (PUT /user, where Auth applies its own policy), then end every other session of the user,
// including the one the check opened. The caller's own session stays signed in.
import { z } from "zod";
import type { VerifyCaller } from "../_shared/auth.ts";
import { AuthApiError, authApiFailure, type AuthApi } from "../_shared/auth-api.ts";
import { asCaller, asServiceRole, requestContext, type Sql } from "../_shared/db.ts";
import { ApiError, json, methodNotAllowed, readJson, withErrors, type Handler } from "../_shared/http.ts";
import { newPassword } from "../_shared/password-policy.ts";
import { clientIp } from "../_shared/rate-limit.ts";

export const changePasswordRequest = z
  .strictObject({
    old_password: z.string().min(1, "is required").max(1024),
    new_password: newPassword,
    new_password2: z.string(),
  })
  .refine((body) => body.new_password === body.new_password2, { message: "does not match new_password", path: ["new_password2"] })
  .refine((body) => body.new_password !== body.old_password, { message: "must differ from the current password", path: ["new_password"] });

export interface ChangePasswordDeps {
  verifyCaller: VerifyCaller;
  sql: Sql;
  auth: AuthApi;
}

export function createChangePasswordHandler({ verifyCaller, sql, auth }: ChangePasswordDeps): Handler {
  return withErrors(async (req) => {
    if (req.method !== "POST") throw methodNotAllowed(req, ["POST"]);
    const claims = await verifyCaller(req);
    const body = changePasswordRequest.parse(await readJson(req));
    const ctx = requestContext(req);
    await asCaller(sql, claims, ctx, async () => undefined); // 401 auth.session_ended for a dead session
    const [account] = await asServiceRole(sql, ctx, (tx) =>
      tx<{ email: string | null; phone: string | null }[]>`select email, phone from private.user_account(${claims.sub})`);
    if (account === undefined) throw new ApiError(401, "auth.session_ended", "this session has ended; sign in again");
    try {
      await auth.passwordGrant(account.email ? { email: account.email } : { phone: account.phone! }, body.old_password, clientIp(req));
    } catch (error) {
      if (error instanceof AuthApiError && (error.errorCode === "invalid_credentials" || error.errorCode === "invalid_grant")) {
        throw new ApiError(400, "password.wrong_old_password", "the current password is wrong", {
          fields: { old_password: [/too many failed/i.test(error.message) ? error.message : "is wrong"] },
        });
      }
      throw error instanceof AuthApiError ? authApiFailure(error) : error;
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "")![1]!;
    try {
      await auth.updateCurrentUser(bearer, { password: body.new_password });
      await auth.signOut(bearer, "others");
    } catch (error) {
      throw error instanceof AuthApiError ? authApiFailure(error) : error;
    }
    await asServiceRole(sql, ctx, (tx) => tx`
      select private.audit('user.password_changed', 'user', ${claims.sub}, null, '{"other_sessions": "revoked"}'::jsonb, ${claims.sub}::uuid)`);
    return json({ password_changed: true, other_sessions_revoked: true });
  });
}
