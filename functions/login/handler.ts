// POST /functions/v1/login: sign in with a username, email or phone number and a password (seeds 000,
// 003, 004 log in by username; 001 by phone). Auth's password grant takes only an email or a phone, so
// we resolve the identifier first and then ask Auth. An unknown identifier and a wrong password get the
// same answer after the same work (a bcrypt comparison and an Auth round trip) and no sooner than a
// fixed floor, so neither the answer nor its timing tells which accounts exist
// (`npm run bench login-timing` measures the latter).
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
  /**
   * Every refused sign-in takes at least this long, so its timing cannot tell an unknown account from a
   * wrong password even when Auth's own work differs from our decoy's (default 250 ms).
   */
  failureFloorMs?: number;
}

// A bcrypt hash at GoTrue's cost (10) of a random string nobody knows: comparing against it costs an
// unknown user exactly what a wrong password costs a real one.
const decoyHash = "$2a$10$JjOJfeKT3xdfP3/uVYVaT.r9Nm1LjApMphVySH2g4YDdXuMexZ.Hq";

const invalidCredentials = () => new ApiError(400, "auth.invalid_credentials", "wrong username, email, phone number or password");

export function createLoginHandler({ sql, auth, failureFloorMs = 250 }: LoginDeps): Handler {
  return withErrors(async (req) => {
    if (req.method !== "POST") throw methodNotAllowed(req, ["POST"]);
    const started = performance.now();
    const refuse = async (error: ApiError): Promise<never> => {
      const wait = failureFloorMs - (performance.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      throw error;
    };
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
      // Do what a wrong password costs: a bcrypt comparison and a round trip to Auth (which also counts
      // the attempt against the caller's IP there, exactly like a real one).
      await asServiceRole(sql, ctx, (tx) => tx`select extensions.crypt(${body.password}, ${decoyHash})`);
      await auth.passwordGrant({ email: `${crypto.randomUUID()}@login-decoy.invalid` }, body.password, ip).catch(() => undefined);
      return await refuse(invalidCredentials());
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
          if (/too many failed/i.test(error.message)) return await refuse(new ApiError(400, "auth.invalid_credentials", error.message));
          return await refuse(invalidCredentials());
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
