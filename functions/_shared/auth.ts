// Verifying the caller's access token in code (jose), as Supabase recommends for functions: asymmetric
// signing keys from SUPABASE_JWKS (inline) or the project's JWKS URL, and the legacy HS256 secret for
// projects that still sign with it. verify_jwt at the gateway is not enough: it also accepts the anon
// key, and it says nothing about who the user is.
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { ApiError } from "./http.ts";

/** The claims of a Supabase Auth access token that our code reads. */
export interface UserClaims extends JWTPayload {
  sub: string;
  role: string;
  aud: string | string[];
  email?: string;
  phone?: string;
  session_id?: string;
  app_metadata?: Record<string, unknown>;
  user_metadata?: Record<string, unknown>;
  is_anonymous?: boolean;
}

export interface JwtVerifierOptions {
  /** SUPABASE_JWKS: the JWKS JSON itself. */
  jwks?: string;
  /** Where to fetch the JWKS when it is not given inline: `${SUPABASE_URL}/auth/v1/.well-known/jwks.json`. */
  jwksUrl?: string;
  /** Legacy projects sign with a shared HS256 secret. */
  legacySecret?: string;
  /** The clock, in milliseconds (tests move it). */
  now?: () => number;
}

// Checking an ES256 signature costs ~0.4 ms of CPU (a sixth of a spend in the function), and a
// client sends the same token with every request for up to an hour. A token that verified is the same
// bytes with the same signature, so for a minute it is only checked against its expiry. The minute
// bounds how long a key withdrawn from a remote JWKS keeps working (jose caches that set for ten).
// Whether the session behind the token still lives is asked of the database on every request.
const verifiedFor = 60_000;
const verifiedMax = 1000;

export type VerifyCaller = (req: Request) => Promise<UserClaims>;

export function createJwtVerifier(options: JwtVerifierOptions): VerifyCaller {
  let keySet: JWTVerifyGetKey | null = null;
  if (options.jwks) keySet = createLocalJWKSet(JSON.parse(options.jwks) as JSONWebKeySet);
  else if (options.jwksUrl) keySet = createRemoteJWKSet(new URL(options.jwksUrl));
  const secret = options.legacySecret ? new TextEncoder().encode(options.legacySecret) : null;
  if (keySet === null && secret === null) throw new Error("JWT verification needs SUPABASE_JWKS, SUPABASE_URL or a legacy secret");
  const now = options.now ?? Date.now;
  const verified = new Map<string, { claims: UserClaims; until: number }>();

  return async (req) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
    if (!match) throw new ApiError(401, "auth.missing_token", "send the user's access token as Authorization: Bearer <token>");
    const token = match[1]!;
    const known = verified.get(token);
    if (known !== undefined && known.until > now()) {
      if (known.claims.exp !== undefined && known.claims.exp * 1000 <= now()) {
        throw new ApiError(401, "auth.token_expired", "the access token has expired; refresh the session");
      }
      return known.claims;
    }
    try {
      const currentDate = new Date(now());
      const result = decodeProtectedHeader(token).alg === "HS256"
        ? secret && await jwtVerify(token, secret, { algorithms: ["HS256"], audience: "authenticated", currentDate })
        : keySet && await jwtVerify(token, keySet, { algorithms: ["ES256", "RS256"], audience: "authenticated", currentDate });
      if (!result) throw new errors.JWSSignatureVerificationFailed();
      const claims = result.payload as UserClaims;
      if (typeof claims.sub !== "string" || claims.role !== "authenticated") {
        throw new ApiError(401, "auth.not_a_user", "this token does not belong to a signed-in user");
      }
      verified.delete(token);
      if (verified.size >= verifiedMax) verified.delete(verified.keys().next().value!);
      verified.set(token, { claims, until: now() + verifiedFor });
      return claims;
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (error instanceof errors.JWTExpired) throw new ApiError(401, "auth.token_expired", "the access token has expired; refresh the session");
      throw new ApiError(401, "auth.invalid_token", "the access token is not valid for this project");
    }
  };
}
