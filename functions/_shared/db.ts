// Database access from edge functions. Every request runs in one transaction that first does what
// PostgREST does (research §3): search_path, the role from the JWT, the full claims as
// request.jwt.claims, method and path. RLS then applies to the function exactly as to the Data API.
import postgres from "postgres";
import type { UserClaims } from "./auth.ts";
import { ApiError } from "./http.ts";

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

export function connect(url: string, options: { max?: number } = {}): Sql {
  return postgres(url, {
    max: options.max ?? 4,
    idle_timeout: 20,
    // Supabase's pooler runs in transaction mode: no named prepared statements.
    prepare: false,
    onnotice: () => {},
    connection: { application_name: "tangent-functions" },
    // A date is a calendar day, not an instant: keep "1994-03-08" as the Data API returns it.
    types: { date: { to: 1082, from: [1082], serialize: (value: string) => value, parse: (value: string) => value } },
  });
}

const apiRoles = new Set(["anon", "authenticated", "service_role"]);

export interface RequestContext {
  method: string;
  path: string;
}

async function impersonate(tx: Tx, role: string, claims: Record<string, unknown>, ctx: RequestContext): Promise<void> {
  if (!apiRoles.has(role)) throw new Error(`refusing to act as database role ${role}`);
  await tx`
    select set_config('search_path', 'public, extensions', true),
           set_config('role', ${role}, true),
           set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
           set_config('request.method', ${ctx.method}, true),
           set_config('request.path', ${ctx.path}, true)`;
}

/**
 * Run `work` as the signed-in caller: RLS and grants decide what it may see and change. A token whose
 * session has ended (sign-out, ban, deleted user, timebox) is refused here with 401 rather than
 * answering as if the caller owned nothing; the policies would see no user either (private.uid()).
 */
export function asCaller<T>(sql: Sql, claims: UserClaims, ctx: RequestContext, work: (tx: Tx) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    await impersonate(tx, claims.role, claims, ctx);
    const [session] = await tx<{ live: boolean }[]>`select private.uid() is not null as live`;
    if (session?.live !== true) throw new ApiError(401, "auth.session_ended", "this session has ended; sign in again");
    return work(tx);
  }) as Promise<T>;
}

/**
 * asCaller for one statement that itself refuses a caller without a live session (it calls
 * private.uid() and raises), in one round trip: begin, the caller's settings, the statement and commit
 * leave together on one connection (pipelined) instead of waiting for each other. Each has its own sync
 * point, so a failing step aborts the transaction and the commit that follows it rolls back. postgres.js
 * sends a query when it is first awaited, and allSettled awaits them in this order. The session is
 * looked at only when the statement failed, to answer as asCaller does (401 auth.session_ended) rather
 * than with the statement's own refusal: a live caller pays one session check, the statement's.
 */
export async function asCallerAtOnce<T extends readonly object[]>(
  sql: Sql, claims: UserClaims, ctx: RequestContext, statement: (tx: postgres.ReservedSql) => postgres.PendingQuery<T>,
): Promise<T> {
  if (!apiRoles.has(claims.role)) throw new Error(`refusing to act as database role ${claims.role}`);
  const tx = await sql.reserve();
  const [begun, settings, result, committed] = await Promise.allSettled([
    tx`begin`,
    tx`
      select set_config('search_path', 'public, extensions', true),
             set_config('role', ${claims.role}, true),
             set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
             set_config('request.method', ${ctx.method}, true),
             set_config('request.path', ${ctx.path}, true)`,
    statement(tx),
    tx`commit`,
  ]).finally(() => tx.release());
  for (const step of [begun, settings]) if (step.status === "rejected") throw step.reason;
  if (result.status === "rejected") {
    await asCaller(sql, claims, ctx, async () => {});
    throw result.reason;
  }
  if (committed.status === "rejected") throw committed.reason;
  return result.value;
}

/** Run `work` as service_role: only for steps that must see past the caller's rows. */
export function asServiceRole<T>(sql: Sql, ctx: RequestContext, work: (tx: Tx) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    await impersonate(tx, "service_role", { role: "service_role" }, ctx);
    return work(tx);
  }) as Promise<T>;
}

export function requestContext(req: Request): RequestContext {
  return { method: req.method, path: new URL(req.url).pathname };
}
