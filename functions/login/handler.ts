// POST /functions/v1/login: sign in with a username, email or phone number and a password (seeds 000,
// 003, 004 log in by username; 001 by phone). Auth's password grant takes only an email or a phone, so
// we resolve the identifier first and then ask Auth. An unknown identifier and a wrong password get the
// same answer after the same amount of work (a bcrypt comparison), so the endpoint does not tell
// which accounts exist.
import { z } from "zod";
import { AuthApiError, authApiFailure, type AuthApi, type AuthSession } from "../_shared/auth-api.ts";
import { asServiceRole, requestContext, type Sql } from "../_shared/db.ts";
import { ApiError, json, methodNotAllowed, readJson, withErrors, type Handler } from "../_shared/http.ts";
import { clientIp, enforceRateLimits, type RateLimit } from "../_shared/rate-limit.ts";

const identifierFields = ["identifier", "username", "email", "phone", "phone_number"] as const;

export const loginRequest = z
  .strictObject({
    identifier: z.string().trim().min(1).max(320).optional(),
    username: z.string().trim().min(1).max(320).optional(),
    email: z.string().trim().min(1).max(320).optional(),
    phone: z.string().trim().min(1).max(32).optional(),
    phone_number: z.string().trim().min(1).max(32).optional(),
    password: z.string().min(1, "is required").max(1024),
  })
  .refine((body) => identifierFields.filter((f) => body[f] !== undefined).length === 1, {
    message: "send exactly one of identifier, username, email, phone or phone_number",
    path: ["identifier"],
  });

export type LoginRequest = z.infer<typeof loginRequest>;

export const loginLimits = {
  perIp: { name: "login:ip", max: 30, windowSeconds: 300 },
  perIdentifier: { name: "login:identifier", max: 10, windowSeconds: 900 },
} satisfies Record<string, RateLimit>;

export interface LoginDeps {
  sql: Sql;
  auth: AuthApi;
}

// A bcrypt hash at GoTrue's cost (10) of a random string nobody knows: comparing against it costs an
// unknown user exactly what a wrong password costs a real one.
const decoyHash = "$2a$10$JjOJfeKT3xdfP3/uVYVaT.r9Nm1LjApMphVySH2g4YDdXuMexZ.Hq";

const invalidCredentials = () => new ApiError(400, "auth.invalid_credentials", "wrong username, email, phone number or password");

export function createLoginHandler({ sql, auth }: LoginDeps): Handler {
  return withErrors(async (req) => {
    if (req.method !== "POST") throw methodNotAllowed(req, ["POST"]);
    const body = loginRequest.parse(await readJson(req));
    const identifier = identifierFields.map((f) => body[f]).find((v) => v !== undefined)!;
    const ip = clientIp(req);
    const ctx = requestContext(req);
    await asServiceRole(sql, ctx, (tx) => enforceRateLimits(tx, [
      { limit: loginLimits.perIp, key: ip ?? "unknown" },
      { limit: loginLimits.perIdentifier, key: identifier.toLowerCase() },
    ]));
    const [account] = await asServiceRole(sql, ctx, (tx) =>
      tx<{ email: string | null; phone: string | null }[]>`select email, phone from private.resolve_login(${identifier})`);
    if (account === undefined || (account.email === null && account.phone === null)) {
      await asServiceRole(sql, ctx, (tx) => tx`select extensions.crypt(${body.password}, ${decoyHash})`);
      throw invalidCredentials();
    }
    let session: AuthSession;
    try {
      session = await auth.passwordGrant(account.email ? { email: account.email } : { phone: account.phone! }, body.password, ip);
    } catch (error) {
      if (!(error instanceof AuthApiError)) throw error;
      switch (error.errorCode) {
        case "invalid_credentials":
        case "invalid_grant":
          // The password_verification_attempt hook's lock message is worth showing; Auth's own is ours.
          if (/too many failed/i.test(error.message)) throw new ApiError(400, "auth.invalid_credentials", error.message);
          throw invalidCredentials();
        default:
          throw authApiFailure(error);
      }
    }
    return json({
      access_token: session.access_token,
      refresh_token: session.refresh_token,
      token_type: session.token_type,
      expires_in: session.expires_in,
      expires_at: session.expires_at,
      user: session.user,
    });
  });
}
