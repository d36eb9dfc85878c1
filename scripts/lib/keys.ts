// The local stack's keys, and access tokens shaped and signed the way Supabase Auth (GoTrue) issues
// them: ES256 with a `kid` published in the JWKS for user sessions; the legacy HS256 secret for the
// anon / service_role API keys. The publishable/secret keys and the legacy secret are the Supabase
// CLI's well-known local values, so a frontend configured for `supabase start` works unchanged.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from "jose";

export const LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
export const LOCAL_PUBLISHABLE_KEY = "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH";
export const LOCAL_SECRET_KEY = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz";

export interface StackKeys {
  /** Private ES256 JWK, in the format `supabase gen signing-key` writes for [auth] signing_keys_path. */
  signingKey: JWK & { kid: string };
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  publishableKey: string;
  secretKey: string;
}

export function publicJwks(keys: Pick<StackKeys, "signingKey">): { keys: JWK[] } {
  const { d: _private, ...pub } = keys.signingKey;
  return { keys: [{ ...pub, key_ops: ["verify"] }] };
}

async function legacyApiKey(secret: string, role: "anon" | "service_role"): Promise<string> {
  // The same payload the CLI mints for its local anon / service_role keys.
  return new SignJWT({ iss: "supabase-demo", role })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setExpirationTime(1983812996)
    .sign(new TextEncoder().encode(secret));
}

/** Load this stack's keys, creating them on first use; they survive restarts and `reset`. */
export async function loadOrCreateKeys(file: string): Promise<StackKeys> {
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as StackKeys;
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  const signingKey = { ...jwk, kid: crypto.randomUUID(), alg: "ES256", use: "sig", key_ops: ["sign", "verify"], ext: true };
  const keys: StackKeys = {
    signingKey,
    jwtSecret: LOCAL_JWT_SECRET,
    anonKey: await legacyApiKey(LOCAL_JWT_SECRET, "anon"),
    serviceRoleKey: await legacyApiKey(LOCAL_JWT_SECRET, "service_role"),
    publishableKey: LOCAL_PUBLISHABLE_KEY,
    secretKey: LOCAL_SECRET_KEY,
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys;
}

/** The auth.users columns a session token is built from. */
export interface AuthUserRow {
  id: string;
  email: string | null;
  phone: string | null;
  role: string | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  is_anonymous: boolean;
}

export interface SessionClaims {
  aud: string;
  exp: number;
  iat: number;
  iss: string;
  sub: string;
  email: string;
  phone: string;
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
  role: string;
  aal: "aal1" | "aal2";
  amr: { method: string; timestamp: number }[];
  session_id: string;
  is_anonymous: boolean;
  [extra: string]: unknown;
}

/** Claims exactly as GoTrue puts them in an access token (see research §3). */
export function sessionClaims(
  user: AuthUserRow,
  opts: { apiUrl: string; sessionId: string; expiresIn: number; now?: number; method?: string },
): SessionClaims {
  const iat = opts.now ?? Math.floor(Date.now() / 1000);
  return {
    aud: "authenticated",
    exp: iat + opts.expiresIn,
    iat,
    iss: `${opts.apiUrl}/auth/v1`,
    sub: user.id,
    email: user.email ?? "",
    phone: user.phone ?? "",
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    role: user.role ?? "authenticated",
    aal: "aal1",
    amr: [{ method: opts.method ?? "password", timestamp: iat }],
    session_id: opts.sessionId,
    is_anonymous: user.is_anonymous,
  };
}

export async function signAccessToken(keys: Pick<StackKeys, "signingKey">, claims: Record<string, unknown>): Promise<string> {
  // The stored JWK lists ["sign", "verify"] as Supabase's key files do; WebCrypto imports a private
  // EC key for signing only.
  const { key_ops: _ops, ...jwk } = keys.signingKey;
  const key = await importJWK(jwk, "ES256");
  return new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: keys.signingKey.kid, typ: "JWT" }).sign(key);
}
