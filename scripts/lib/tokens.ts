// Sessions and access tokens the way Supabase Auth (GoTrue) issues them, written to the real `auth`
// schema: an auth.sessions row with its first auth.refresh_tokens row and an auth.mfa_amr_claims row,
// GoTrue's claims, the custom access token hook (validated against GoTrue's minimum claims schema),
// then an ES256 signature. One implementation for the Auth fake (tests/fakes/auth.ts) and for
// `npm run stack -- token`. Sources: supabase/auth internal/tokens/service.go,
// internal/models/{refresh_token,sessions}.go, internal/hooks/{hookpgfunc,hookerrors,dispatch}.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import type { AuthHookConfig, ProjectConfig } from "./settings.ts";
import { sessionClaims, type AuthUserRow, type SessionClaims } from "./keys.ts";

/** An error answered the way GoTrue answers it: status, error_code ("" for hook errors) and message. */
export class AuthApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra top-level fields of the error body (weak_password). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** GoTrue's models.AuthenticationMethod values that the fake issues sessions for. */
export type AuthenticationMethod = "password" | "otp" | "token_refresh";

/** `pg-functions://postgres/public/custom_access_token_hook` → `"public"."custom_access_token_hook"`. */
export function hookFunction(uri: string): string {
  const match = /^pg-functions:\/\/[^/]+\/([A-Za-z_][A-Za-z0-9_]{0,62})\/([A-Za-z_][A-Za-z0-9_]{0,62})$/.exec(uri);
  if (match === null) throw new Error(`hook uri ${uri} is not a pg-functions:// uri`);
  return `"${match[1]}"."${match[2]}"`;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** hookerrors.Check: an `error` object with a non-empty message fails the request with its http_code (500 by default). */
export function checkHookError(output: unknown): void {
  if (!isObject(output) || !isObject(output.error)) return;
  const message = typeof output.error.message === "string" ? output.error.message : "";
  if (message === "") return;
  const status = typeof output.error.http_code === "number" && output.error.http_code !== 0 ? output.error.http_code : 500;
  throw new AuthApiError(status, "", message);
}

/**
 * A Postgres hook as GoTrue runs it, inside the caller's transaction: statement_timeout 2000 around
 * `select "<schema>"."<function>"(<event>)`, on GoTrue's own connection (supabase_auth_admin, search_path auth).
 * Any database error (a missing function, a timeout) becomes GoTrue's 500 "Error running hook URI".
 */
export async function runPgHook(tx: postgres.TransactionSql, uri: string, event: Json): Promise<unknown> {
  let result: unknown;
  try {
    await tx.unsafe("set local statement_timeout to '2000'");
    // The event goes as a json parameter: a JSON string would arrive as a jsonb *string*.
    const rows = await tx.unsafe<{ result: unknown }[]>(`select ${hookFunction(uri)}($1::jsonb) as result`, [tx.json(event as postgres.JSONValue)]);
    await tx.unsafe("set local statement_timeout to default");
    result = rows[0]?.result ?? null;
  } catch {
    throw new AuthApiError(500, "", `Error running hook URI: ${uri}`);
  }
  checkHookError(result);
  return result;
}

/** Runs a hook of any kind (the fake adds HTTP hooks); the default knows Postgres hooks only. */
export type HookDispatcher = (tx: postgres.TransactionSql, hook: AuthHookConfig, event: Json) => Promise<unknown>;

const pgOnly: HookDispatcher = (tx, hook, event) => {
  if (!hook.uri.startsWith("pg-functions:")) throw new Error(`only pg-functions:// hooks are supported here, not ${hook.uri}`);
  return runPgHook(tx, hook.uri, event);
};

/** GoTrue's MinimumViableTokenSchema (draft-07) for the claims a custom access token hook returns. */
const claimTypes: Record<string, ("string" | "integer" | "object" | "array")[]> = {
  aud: ["string", "array"], exp: ["integer"], jti: ["string"], iat: ["integer"], iss: ["string"], nbf: ["integer"],
  sub: ["string"], email: ["string"], phone: ["string"], app_metadata: ["object"], user_metadata: ["object"],
  role: ["string"], aal: ["string"], amr: ["array"], session_id: ["string"], client_id: ["string"],
};
const requiredClaims = ["aud", "exp", "iat", "sub", "email", "phone", "role", "aal", "session_id", "is_anonymous"];

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** The schema violations of `claims`, worded like gojsonschema; empty when they conform. */
export function claimsViolations(claims: Json): string[] {
  const problems = requiredClaims.filter((name) => !(name in claims)).map((name) => `(root): ${name} is required`);
  for (const [name, allowed] of Object.entries(claimTypes)) {
    if (!(name in claims)) continue;
    const actual = jsonType(claims[name]);
    if (!allowed.includes(actual as (typeof allowed)[number])) {
      problems.push(`${name}: Invalid type. Expected: ${allowed.join("/")}, given: ${actual}`);
    }
  }
  const amr = claims.amr;
  if (Array.isArray(amr)) {
    amr.forEach((entry, i) => {
      if (typeof entry !== "string" && !isObject(entry)) problems.push(`amr.${i}: Must validate at least one schema (anyOf)`);
    });
  }
  return problems;
}

export interface GrantOptions {
  now: Date;
  method: AuthenticationMethod;
  userAgent?: string;
  ip?: string;
}

export interface Grant {
  sessionId: string;
  refreshToken: string;
}

/** crypto.SecureAlphanumeric(12): lower-case base32 without padding. */
export function secureAlphanumeric(length = 12): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => alphabet[b % 32]).join("");
}

/**
 * models.GrantAuthenticatedUser + AddClaimToSession: a new session (aal1; the timebox is checked against
 * created_at, not stored in not_after), its first refresh token, the AMR claim, and last_sign_in_at.
 */
export async function grantSession(tx: postgres.TransactionSql, userId: string, opts: GrantOptions): Promise<Grant> {
  const sessionId = crypto.randomUUID();
  const refreshToken = secureAlphanumeric();
  await tx`
    insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
    values (${sessionId}, ${userId}, ${opts.now}, ${opts.now}, 'aal1', ${opts.userAgent ?? null}, ${opts.ip ?? null})`;
  await tx`
    insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
    values ('00000000-0000-0000-0000-000000000000', ${refreshToken}, ${userId}, false, ${opts.now}, ${opts.now}, null, ${sessionId})`;
  await addAmrClaim(tx, sessionId, opts.method, opts.now);
  await tx`update auth.users set last_sign_in_at = ${opts.now}, updated_at = ${opts.now} where id = ${userId}`;
  return { sessionId, refreshToken };
}

export async function addAmrClaim(tx: postgres.TransactionSql, sessionId: string, method: string, now: Date): Promise<void> {
  await tx`
    insert into auth.mfa_amr_claims (id, session_id, created_at, updated_at, authentication_method)
    values (${crypto.randomUUID()}, ${sessionId}, ${now}, ${now}, ${method})
    on conflict on constraint mfa_amr_claims_session_id_authentication_method_pkey do update set updated_at = ${now}`;
}

export interface AccessTokenContext {
  /** The API URL; the issuer is `<apiUrl>/auth/v1`, as the CLI configures GoTrue. */
  apiUrl: string;
  jwtExpiry: number;
  now: Date;
  hook: AuthHookConfig | null;
  sign(claims: Json): Promise<string>;
  dispatch?: HookDispatcher;
  /** The hook event's `metadata` (uuid, time, name, ip_address). */
  metadata?: Json;
}

export interface AccessToken {
  accessToken: string;
  claims: SessionClaims;
  expiresAt: number;
}

/** Service.GenerateAccessToken: claims from the user and the session's AMR claims, the hook, the signature. */
export async function mintAccessToken(
  tx: postgres.TransactionSql,
  user: AuthUserRow,
  sessionId: string,
  method: AuthenticationMethod,
  ctx: AccessTokenContext,
): Promise<AccessToken> {
  const amrRows = await tx<{ authentication_method: string; updated_at: Date }[]>`
    select authentication_method, updated_at from auth.mfa_amr_claims where session_id = ${sessionId} order by updated_at`;
  const iat = Math.floor(ctx.now.getTime() / 1000);
  let claims: SessionClaims = {
    ...sessionClaims(user, { apiUrl: ctx.apiUrl, sessionId, expiresIn: ctx.jwtExpiry, now: iat }),
    amr: amrRows.map((r) => ({ method: r.authentication_method, timestamp: Math.floor(r.updated_at.getTime() / 1000) })),
  };
  if (ctx.hook !== null) {
    const event = { ...(ctx.metadata ? { metadata: ctx.metadata } : {}), user_id: user.id, claims, authentication_method: method };
    const output = await (ctx.dispatch ?? pgOnly)(tx, ctx.hook, event);
    if (!isObject(output) || !isObject(output.claims)) throw new AuthApiError(500, "", "Error unmarshaling JSON output.");
    const problems = claimsViolations(output.claims);
    if (problems.length > 0) {
      throw new AuthApiError(500, "", `output claims do not conform to the expected schema: \n${problems.map((p) => `- ${p}\n`).join("")}`);
    }
    claims = output.claims as SessionClaims;
  }
  return { accessToken: await ctx.sign(claims), claims, expiresAt: iat + ctx.jwtExpiry };
}

export interface IssuedToken {
  accessToken: string;
  refreshToken: string;
  claims: SessionClaims;
  userId: string;
  sessionId: string;
}

async function findUser(sql: postgres.TransactionSql, identifier: string): Promise<AuthUserRow> {
  const hasProfiles = (await sql`select to_regclass('public.profiles') is not null as present`)[0]?.present === true;
  const digits = identifier.replace(/^\+/, "");
  const rows = await sql<AuthUserRow[]>`
    select u.id, u.email, u.phone, u.role, u.raw_app_meta_data, u.raw_user_meta_data, u.is_anonymous
      from auth.users u
     where u.deleted_at is null
       and (lower(u.email) = lower(${identifier})
            or u.phone = ${digits}
            or u.id::text = ${identifier}
            ${hasProfiles ? sql`or u.id in (select p.id from public.profiles p where lower(p.username) = lower(${identifier}))` : sql``})
     limit 2`;
  if (rows.length !== 1) throw new Error(`no single user matches "${identifier}"`);
  return rows[0]!;
}

/**
 * `npm run stack -- token`: what a password sign-in would return, for an existing user. The user is
 * looked up as the connecting role (it may search profiles by username); the session is written and
 * the hook runs as GoTrue's role when the connection may become it.
 */
export async function issueToken(
  dbUrl: string,
  sign: (claims: SessionClaims) => Promise<string>,
  config: Pick<ProjectConfig, "auth">,
  apiUrl: string,
  identifier: string,
): Promise<IssuedToken> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    return await sql.begin(async (tx) => {
      const user = await findUser(tx, identifier);
      const [{ can_become } = { can_become: false }] = await tx<{ can_become: boolean }[]>`
        select current_user <> 'supabase_auth_admin' and pg_has_role('supabase_auth_admin', 'member') as can_become`;
      if (can_become) await tx`set local role supabase_auth_admin`;
      await tx`set local search_path = auth`;
      const now = new Date();
      const grant = await grantSession(tx, user.id, { now, method: "password" });
      const token = await mintAccessToken(tx, user, grant.sessionId, "password", {
        apiUrl,
        jwtExpiry: config.auth.jwtExpiry,
        now,
        hook: config.auth.hooks.customAccessToken,
        sign: (claims) => sign(claims as SessionClaims),
      });
      return { accessToken: token.accessToken, refreshToken: grant.refreshToken, claims: token.claims, userId: user.id, sessionId: grant.sessionId };
    });
  } finally {
    await sql.end();
  }
}
