// What vitest needs from the running stack (the ephemeral one of `npm test`, or yours from
// `npm run stack -- start`): its URLs, database connections, and access tokens for its users.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { signAccessToken, type SessionClaims, type StackKeys } from "../../scripts/lib/keys.ts";
import { apiUrl, dbUrl, readProjectConfig, readStackSettings } from "../../scripts/lib/settings.ts";
import { issueToken, type IssuedToken } from "../../scripts/lib/tokens.ts";
import type { AuthFakeOptions, CapturedMail } from "../fakes/auth.ts";

export const config = readProjectConfig();
export const settings = readStackSettings(config);
export const urls = {
  db: dbUrl(settings),
  superuser: dbUrl(settings, "supabase_admin"),
  api: apiUrl(settings),
  functions: `${apiUrl(settings)}/functions/v1`,
};

export function stackKeys(): StackKeys {
  const file = join(settings.stackDir, "keys.json");
  if (!existsSync(file)) throw new Error(`no stack keys at ${file}: start the stack first (npm run stack -- start)`);
  return JSON.parse(readFileSync(file, "utf8")) as StackKeys;
}

/** An access token for an existing user, issued as Supabase Auth would at sign-in. */
export function mintToken(identifier: string): Promise<IssuedToken> {
  const keys = stackKeys();
  return issueToken(urls.superuser, (claims) => signAccessToken(keys, claims), config, urls.api, identifier);
}

/** Sign arbitrary claims with the stack's key: for tokens Auth would never issue (expired, wrong role). */
export function signClaims(claims: Partial<SessionClaims> & Record<string, unknown>): Promise<string> {
  return signAccessToken(stackKeys(), claims);
}

const open: postgres.Sql[] = [];

/** A connection as `postgres` (what functions get in SUPABASE_DB_URL) or as the superuser. */
export function openDb(as: "postgres" | "supabase_admin" = "postgres"): postgres.Sql {
  const sql = postgres(as === "postgres" ? urls.db : urls.superuser, { max: 4, onnotice: () => {}, prepare: false });
  open.push(sql);
  return sql;
}

export async function closeDbs(): Promise<void> {
  await Promise.all(open.splice(0).map((sql) => sql.end()));
}

export interface TestUser {
  id: string;
  email: string;
}

/** A fresh user inserted the way Auth inserts one (tests/db/helpers.sql), unique per call. */
export async function createUser(meta: Record<string, unknown> = {}, email = `u${crypto.randomUUID().slice(0, 8)}@test.tangent`): Promise<TestUser> {
  const sql = openDb("supabase_admin");
  const [row] = await sql<{ id: string }[]>`select tests.create_user(email => ${email}, user_metadata => ${sql.json(meta as postgres.JSONValue)}) as id`;
  return { id: row!.id, email };
}

export interface StackState {
  supervisorPid: number;
  dbUrl: string;
  apiUrl: string;
  fakes: Record<string, string>;
}

/** What the running stack wrote about itself (.stack/state.json): its URLs and its fakes' URLs. */
export function stackState(): StackState {
  const file = join(settings.stackDir, "state.json");
  if (!existsSync(file)) throw new Error(`no ${file}: is the stack running?`);
  return JSON.parse(readFileSync(file, "utf8")) as StackState;
}

/** Options for an Auth fake of a test's own, against this stack's database and keys (override hooks etc.). */
export function authFakeOptions(overrides: Partial<AuthFakeOptions> = {}): AuthFakeOptions {
  return { dbUrl: urls.db, keys: stackKeys(), settings: config.auth, apiUrl: urls.api, ...overrides };
}

/** The stack's own Auth fake (its control URL; clients reach it through `${urls.api}/auth/v1`). */
export function authFakeUrl(): string {
  const url = stackState().fakes.Auth;
  if (url === undefined) throw new Error("this stack runs no Auth fake (SUPABASE_URL points at a real Auth)");
  return url;
}

/**
 * Freeze the clock of the stack's Auth fake (null: real time again). It is shared by every test file
 * running at once: tests that need a frozen clock should prefer an Auth fake of their own.
 */
export async function setAuthClock(at: Date | null): Promise<void> {
  const res = await fetch(`${authFakeUrl()}/_fake/clock`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ now: at?.toISOString() ?? null }),
  });
  if (!res.ok) throw new Error(`setting the Auth fake's clock failed: ${res.status}`);
}

/**
 * The mail an Auth fake "sent" to `to`, oldest first: its GET /_fake/mail, the Inbucket of this stack.
 * By default the stack's own fake (what signups through API_URL mail); pass a test's own fake's URL.
 */
export async function authMail(to: string, fakeUrl = authFakeUrl()): Promise<CapturedMail[]> {
  const res = await fetch(`${fakeUrl}/_fake/mail?to=${encodeURIComponent(to)}`);
  if (!res.ok) throw new Error(`reading the Auth fake's mail failed: ${res.status}`);
  return (await res.json()) as CapturedMail[];
}
