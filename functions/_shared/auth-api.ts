// A fetch client for the parts of Supabase Auth's HTTP API (GoTrue) our functions call: the password
// grant, sign-out, and the admin user endpoints. The base URL is the project URL, so the same code
// talks to a hosted project, `supabase start`, or the local stack's stand-in.
import type { GetEnv } from "./env.ts";
import { requireEnv } from "./env.ts";
import { ApiError } from "./http.ts";

export interface AuthUser {
  id: string;
  email?: string;
  phone?: string;
  user_metadata?: Record<string, unknown>;
  app_metadata?: Record<string, unknown>;
  banned_until?: string | null;
  created_at?: string;
  [key: string]: unknown;
}

export interface AuthSession {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  expires_at: number;
  user: AuthUser;
}

/** An error answer from Auth, with GoTrue's error_code (e.g. invalid_credentials, email_exists). */
export class AuthApiError extends Error {
  constructor(readonly status: number, readonly errorCode: string, message: string) {
    super(message);
  }
}

/** Auth's answer in our error envelope; anything unexpected becomes 502 auth.unavailable. */
export function authApiFailure(error: AuthApiError): ApiError {
  switch (error.errorCode) {
    case "email_not_confirmed":
      return new ApiError(403, "auth.email_not_confirmed", "confirm your email address first (see the link we sent)");
    case "phone_not_confirmed":
      return new ApiError(403, "auth.phone_not_confirmed", "confirm your phone number first");
    case "user_banned":
      return new ApiError(403, "auth.user_banned", "this account is suspended");
    case "over_request_rate_limit":
      return new ApiError(429, "request.rate_limited", "too many attempts; try again later", undefined, { "retry-after": "300" });
    case "email_exists":
    case "phone_exists":
    case "user_already_exists":
      return new ApiError(409, "user.already_exists", "a user with this email or phone number already exists");
    case "weak_password":
      return new ApiError(400, "password.weak", error.message, { fields: { password: [error.message] } });
    case "same_password":
      return new ApiError(400, "password.same_as_old", "the new password must differ from the current one", {
        fields: { new_password: ["must differ from the current password"] },
      });
    case "reauthentication_needed":
      return new ApiError(403, "auth.reauthentication_needed", "sign in again before changing the password");
    case "session_not_found":
      return new ApiError(401, "auth.session_ended", "this session has ended; sign in again");
    case "user_not_found":
      return new ApiError(404, "user.not_found", "no such user");
    default:
      return new ApiError(502, "auth.unavailable", "Auth could not complete the request", { auth_error: error.errorCode, auth_status: error.status });
  }
}

export interface AdminUserAttributes {
  email?: string;
  phone?: string;
  password?: string;
  email_confirm?: boolean;
  phone_confirm?: boolean;
  user_metadata?: Record<string, unknown>;
  app_metadata?: Record<string, unknown>;
  /** Go duration ("876000h") or "none" to lift a ban. */
  ban_duration?: string;
}

export interface AuthApi {
  passwordGrant(credentials: { email: string } | { phone: string }, password: string, clientIp?: string | null): Promise<AuthSession>;
  signOut(accessToken: string, scope: "global" | "local" | "others"): Promise<void>;
  /** PUT /user as the signed-in user: Auth checks the password policy and ends the user's other sessions. */
  updateCurrentUser(accessToken: string, attributes: { password?: string; data?: Record<string, unknown> }): Promise<AuthUser>;
  createUser(attributes: AdminUserAttributes): Promise<AuthUser>;
  updateUser(id: string, attributes: AdminUserAttributes): Promise<AuthUser>;
  deleteUser(id: string): Promise<void>;
}

export interface AuthApiOptions {
  /** The project URL (SUPABASE_URL); Auth lives under /auth/v1. */
  url: string;
  /** Publishable (or legacy anon) key: what a browser would send as apikey. */
  publishableKey: string;
  /** Secret (or legacy service_role) key for the admin endpoints. */
  secretKey: string;
  fetch?: typeof fetch;
}

async function failure(response: Response): Promise<AuthApiError> {
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's error page): the status alone has to do.
  }
  const code = String(body.error_code ?? body.error ?? `http_${response.status}`);
  const message = String(body.msg ?? body.message ?? body.error_description ?? (text.slice(0, 200) || response.statusText));
  return new AuthApiError(response.status, code, message);
}

export function createAuthApi(options: AuthApiOptions): AuthApi {
  const base = `${options.url.replace(/\/$/, "")}/auth/v1`;
  const doFetch = options.fetch ?? fetch;
  const call = async (path: string, init: { method: string; key: string; bearer?: string; body?: unknown; clientIp?: string | null }): Promise<Response> => {
    const headers: Record<string, string> = { apikey: init.key, authorization: `Bearer ${init.bearer ?? init.key}` };
    if (init.body !== undefined) headers["content-type"] = "application/json";
    // Auth's per-IP limits should count the end user, not this function.
    if (init.clientIp) headers["x-forwarded-for"] = init.clientIp;
    const response = await doFetch(`${base}${path}`, {
      method: init.method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (!response.ok) throw await failure(response);
    return response;
  };
  const admin = (method: string, path: string, body?: unknown) => call(path, { method, key: options.secretKey, body });

  return {
    async passwordGrant(credentials, password, clientIp) {
      const response = await call("/token?grant_type=password", {
        method: "POST", key: options.publishableKey, body: { ...credentials, password }, clientIp,
      });
      return await response.json() as AuthSession;
    },
    async signOut(accessToken, scope) {
      await call(`/logout?scope=${scope}`, { method: "POST", key: options.publishableKey, bearer: accessToken });
    },
    async updateCurrentUser(accessToken, attributes) {
      const response = await call("/user", { method: "PUT", key: options.publishableKey, bearer: accessToken, body: attributes });
      return await response.json() as AuthUser;
    },
    async createUser(attributes) {
      return await (await admin("POST", "/admin/users", attributes)).json() as AuthUser;
    },
    async updateUser(id, attributes) {
      return await (await admin("PUT", `/admin/users/${encodeURIComponent(id)}`, attributes)).json() as AuthUser;
    },
    async deleteUser(id) {
      await admin("DELETE", `/admin/users/${encodeURIComponent(id)}`);
    },
  };
}

/** The first key of a SUPABASE_*_KEYS dictionary ({"default": "sb_..."}), if set. */
function firstKey(json: string | undefined): string | undefined {
  if (!json) return undefined;
  const keys = JSON.parse(json) as Record<string, string>;
  return keys.default ?? Object.values(keys)[0];
}

/** Hosted functions get SUPABASE_URL and the project's keys in both the new and the legacy form. */
export function authApiFromEnv(get: GetEnv): AuthApi {
  const publishableKey = firstKey(get("SUPABASE_PUBLISHABLE_KEYS")) ?? get("SUPABASE_ANON_KEY");
  const secretKey = get("SUPABASE_SERVICE_ROLE_KEY") || firstKey(get("SUPABASE_SECRET_KEYS"));
  if (!publishableKey) throw new Error("missing environment variable SUPABASE_PUBLISHABLE_KEYS or SUPABASE_ANON_KEY");
  if (!secretKey) throw new Error("missing environment variable SUPABASE_SERVICE_ROLE_KEY or SUPABASE_SECRET_KEYS");
  return createAuthApi({ url: requireEnv(get, "SUPABASE_URL"), publishableKey, secretKey });
}
