// Reading a function's configuration from its environment. Handlers never read the environment
// themselves: index.ts builds their dependencies here, so tests can pass their own.
import { createJwtVerifier, type VerifyCaller } from "./auth.ts";

export type GetEnv = (name: string) => string | undefined;

export function requireEnv(get: GetEnv, name: string): string {
  const value = get(name);
  if (value === undefined || value === "") throw new Error(`missing environment variable ${name}`);
  return value;
}

/** Supabase sets SUPABASE_JWKS and SUPABASE_URL in every function; LEGACY_JWT_SECRET is ours to set. */
export function jwtVerifierFromEnv(get: GetEnv): VerifyCaller {
  const url = get("SUPABASE_URL");
  return createJwtVerifier({
    jwks: get("SUPABASE_JWKS") || undefined,
    jwksUrl: url ? `${url}/auth/v1/.well-known/jwks.json` : undefined,
    legacySecret: get("LEGACY_JWT_SECRET") || undefined,
  });
}
