// Sales benchmarks (performance research §8 B3 and batch capture) on a world of their own: 200 tenants,
// each with 2 regions, 5 outlets, an owner, a manager and 10 agents (real auth.users rows with live
// auth.sessions, since private.uid() checks the token's session), and 5,000 leads per tenant (1M).
//
// Requests are sent the way PostgREST sends them: one transaction per request, the per-request
// settings in one statement (search_path, role, the full claims JSON, method, path, headers), then the
// SQL PostgREST generates for the request, as a prepared statement (db-prepared-statements). The
// ceiling runs the identical statements with role service_role (BYPASSRLS), interleaved A B A B.
import { spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { benchPairs, envInt, interleaved, type BenchContext, type BenchResult } from "./bench-common.ts";
import { dbUrl } from "./settings.ts";

const pgBin = process.env.TANGENT_PG_BIN ?? "/usr/lib/postgresql/15/bin";

const TENANTS = 200;
const LEADS_PER_TENANT = envInt("TANGENT_BENCH_LEADS_PER_TENANT", 5000); // 1M in all; smaller only to develop the benches
const AGENTS_PER_TENANT = 10; // users t*100+10 … t*100+19, two per outlet
const OUTLETS_PER_TENANT = 5;
const MAX_ROWS = 1000; // supabase/config.toml [api] max_rows: PostgREST limits every read to it

// Ids are 12-digit numbers so pgbench can compute them: user n = t*100+k (k 1 owner, 2 manager,
// 10–19 agents), its session has the same number; tenant t; region/outlet t*10+i.
const ID_BASE = 100000000000;
const uuid = (kind: "user" | "tenant" | "session" | "region" | "outlet", n: number) =>
  `00000000-0000-4000-${{ user: "8001", tenant: "8002", session: "8003", region: "8004", outlet: "8005" }[kind]}-${ID_BASE + n}`;
const prefix = (kind: "user" | "tenant" | "session") => uuid(kind, 0).slice(0, 24);

// ---------------------------------------------------------------------------------------------------
// the world
// ---------------------------------------------------------------------------------------------------

let world: Promise<void> | null = null;

/** Builds the 1M-lead world once per run (set-based SQL as superuser, not through the API), then VACUUM ANALYZE. */
export function leadWorld(ctx: BenchContext): Promise<void> {
  world ??= buildLeadWorld(ctx);
  return world;
}

async function buildLeadWorld({ db, settings, log }: BenchContext): Promise<void> {
  const started = performance.now();
  const u = (n: string) => `('${prefix("user")}' || (${ID_BASE} + ${n}))::uuid`;
  const t = (n: string) => `('${prefix("tenant")}' || (${ID_BASE} + ${n}))::uuid`;
  const r = (n: string) => `('${uuid("region", 0).slice(0, 24)}' || (${ID_BASE} + ${n}))::uuid`;
  const o = (n: string) => `('${uuid("outlet", 0).slice(0, 24)}' || (${ID_BASE} + ${n}))::uuid`;
  const people = `(select 1 union all select 2 union all select generate_series(10, ${9 + AGENTS_PER_TENANT})) k(k)`;
  log(`  building the lead world: ${TENANTS} tenants, ${TENANTS * (2 + AGENTS_PER_TENANT)} users, ${TENANTS * LEADS_PER_TENANT} leads`);
  await db.unsafe(`insert into public.tenants (id, name, slug, time_zone, currency)
    select ${t("g")}, 'Bench tenant ' || g, 'bench-' || g, 'UTC', 'EUR' from generate_series(1, ${TENANTS}) g`);
  await db.unsafe(`insert into public.regions (id, tenant_id, name)
    select ${r("g * 10 + i")}, ${t("g")}, 'Region ' || i from generate_series(1, ${TENANTS}) g, generate_series(0, 1) i`);
  await db.unsafe(`insert into public.outlets (id, tenant_id, region_id, name)
    select ${o("g * 10 + i")}, ${t("g")}, ${r("g * 10 + i % 2")}, 'Outlet ' || i
      from generate_series(1, ${TENANTS}) g, generate_series(0, ${OUTLETS_PER_TENANT - 1}) i`);
  // As Auth writes users (the seed's way, without hashing a password nobody uses), each with a live session.
  await db.unsafe(`insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
      confirmation_token, recovery_token, email_change_token_new, email_change, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    select '00000000-0000-0000-0000-000000000000', ${u("g * 100 + k")}, 'authenticated', 'authenticated',
           'world-' || g || '-' || k || '@leads.bench', '', now(), '', '', '', '',
           '{"provider": "email", "providers": ["email"]}', '{}', now(), now()
      from generate_series(1, ${TENANTS}) g, ${people}`);
  await db.unsafe(`insert into auth.sessions (id, user_id, created_at, updated_at, aal)
    select ('${prefix("session")}' || right(u.id::text, 12))::uuid, u.id, now(), now(), 'aal1'
      from auth.users u where u.email like 'world-%@leads.bench'`);
  await db.unsafe(`insert into public.tenant_memberships (tenant_id, user_id, role, outlet_id)
    select ${t("g")}, ${u("g * 100 + k")}, case k when 1 then 'owner' when 2 then 'manager' else 'agent' end::public.tenant_role,
           case when k >= 10 then ${o(`g * 10 + (k - 10) % ${OUTLETS_PER_TENANT}`)} end
      from generate_series(1, ${TENANTS}) g, ${people}`);
  // Lead g: tenant 1 + g % 200, agent (g / 200) % 10 at its outlet, captured within the last 90 days.
  const total = TENANTS * LEADS_PER_TENANT;
  const chunk = 125_000;
  const chunks: [number, number][] = [];
  for (let lo = 1; lo <= total; lo += chunk) chunks.push([lo, Math.min(total, lo + chunk - 1)]);
  let done = 0;
  const insertChunk = async ([lo, hi]: [number, number]) => {
    await db.unsafe(`insert into public.leads (tenant_id, client_uuid, outlet_id, agent_id, customer_name, phone, status, status_reason,
                                                captured_at, received_at, payload_hash, created_by)
      select x.tenant, gen_random_uuid(), x.outlet, x.agent, 'Customer ' || x.g, '+4915' || (100000000 + x.g),
             x.status, case when x.status = 'lost' then 'bench' end, x.at, x.at, md5(x.g::text) || md5((-x.g)::text), x.agent
        from (select g, ${t(`1 + g % ${TENANTS}`)} as tenant,
                     ${o(`(1 + g % ${TENANTS}) * 10 + (g / ${TENANTS}) % ${AGENTS_PER_TENANT} % ${OUTLETS_PER_TENANT}`)} as outlet,
                     ${u(`(1 + g % ${TENANTS}) * 100 + 10 + (g / ${TENANTS}) % ${AGENTS_PER_TENANT}`)} as agent,
                     (array['new','new','new','new','contacted','contacted','qualified','qualified','lost','qualified']::public.lead_status[])[1 + (g * 7) % 10] as status,
                     date_trunc('second', now() - ((g::bigint * 7919) % 7776000) * interval '1 second') as at
                from generate_series(${lo}, ${hi}) g) x`);
    done += hi - lo + 1;
    log(`  … ${done.toLocaleString("en")} leads (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  };
  // Two connections (the admin pool's size), each taking the next chunk.
  const queue = [...chunks];
  await Promise.all([0, 1].map(async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await insertChunk(next);
  }));
  await db.unsafe(`vacuum analyze public.leads, public.lead_status_history, public.tenant_memberships, public.outlets,
                   public.tenants, auth.sessions, auth.users`);
  const [counted] = await db<{ leads: string }[]>`select count(*) as leads from public.leads where tenant_id::text like ${prefix("tenant") + "%"}`;
  const leads = counted?.leads;
  if (Number(leads) !== total) throw new Error(`the lead world has ${leads} leads, expected ${total}`);
  log(`  lead world ready in ${((performance.now() - started) / 1000).toFixed(0)} s (database ${settings.dbPort})`);
  // To weigh a schema change (a policy or helper rewrite) with these benches before writing its migration.
  const trial = process.env.TANGENT_BENCH_SQL;
  if (trial) {
    log(`  applying ${trial} (TANGENT_BENCH_SQL) as superuser`);
    await db.unsafe(readFileSync(trial, "utf8")).simple();
    await db.unsafe("vacuum analyze public.leads");
  }
}

// ---------------------------------------------------------------------------------------------------
// requests as PostgREST sends them
// ---------------------------------------------------------------------------------------------------

/**
 * The per-request settings statement. `user` is an SQL expression giving the user's 12-digit number as
 * text; the claims are those GoTrue mints for a password sign-in (colons in values are JSON-escaped,
 * since pgbench would read `:54321` as a variable).
 */
function requestSettings(role: string, user: string, method: string, path: string): string {
  const claims = `'{"aud": "authenticated", "exp": 4102444800, "iat": 1767225600, "iss": "http\\u003a//127.0.0.1\\u003a54321/auth/v1", `
    + `"sub": "${prefix("user")}' || ${user} || '", "email": "", "phone": "", `
    + `"app_metadata": {"provider": "email", "providers": ["email"]}, "user_metadata": {}, "role": "authenticated", "aal": "aal1", `
    + `"amr": [{"method": "password", "timestamp": 1767225600}], "session_id": "${prefix("session")}' || ${user} || '", "is_anonymous": false}'`;
  return `SELECT set_config('search_path', '"public", "extensions"', true), set_config('role', '${role}', true), `
    + `set_config('request.jwt.claims', ${claims}, true), set_config('request.method', '${method}', true), `
    + `set_config('request.path', '${path}', true), set_config('request.headers', '{"accept": "application/json"}', true), `
    + `set_config('request.cookies', '{}', true), set_config('statement_timeout', '8s', true)`;
}

interface QueryParams {
  tenant: string; // SQL expression: the tenant's 12-digit number as text
  agent: string | null; // agents filter to their own leads (&agent_id=eq.<me>), as their app does
  limit: string;
  offset: string;
  status: string;
}

const agentFilter = (p: QueryParams) =>
  p.agent === null ? "" : ` AND  "public"."leads"."agent_id" = ('${prefix("user")}' || ${p.agent})::uuid`;

/**
 * GET /rest/v1/leads?tenant_id=eq.X[&agent_id=eq.ME]&select=id,customer_name,phone,status,captured_at&order=captured_at.desc&limit=50
 */
function listSql(p: QueryParams): string {
  return `WITH pgrst_source AS ( SELECT "public"."leads"."id", "public"."leads"."customer_name", "public"."leads"."phone", `
    + `"public"."leads"."status", "public"."leads"."captured_at" FROM "public"."leads"  `
    + `WHERE  "public"."leads"."tenant_id" = ('${prefix("tenant")}' || ${p.tenant})::uuid${agentFilter(p)}  `
    + `ORDER BY "public"."leads"."captured_at" DESC LIMIT ${p.limit} OFFSET ${p.offset} )  `
    + `SELECT null::bigint AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, coalesce(json_agg(_postgrest_t), '[]') AS body, `
    + `nullif(current_setting('response.headers', true), '') AS response_headers, nullif(current_setting('response.status', true), '') AS response_status, `
    + `'' AS response_inserted FROM ( SELECT * FROM pgrst_source ) _postgrest_t`;
}

/** HEAD /rest/v1/leads?tenant_id=eq.X[&agent_id=eq.ME]&status=eq.new with Prefer: count=exact (no body; max_rows caps the page). */
function countSql(p: QueryParams): string {
  const where = `WHERE  "public"."leads"."tenant_id" = ('${prefix("tenant")}' || ${p.tenant})::uuid${agentFilter(p)} AND  "public"."leads"."status" = ${p.status}`;
  return `WITH pgrst_source AS ( SELECT "public"."leads".* FROM "public"."leads"  ${where}  LIMIT ${p.limit} OFFSET ${p.offset} ) , `
    + `pgrst_source_count AS (SELECT 1 FROM "public"."leads"  ${where} ) `
    + `SELECT (SELECT pg_catalog.count(*) FROM pgrst_source_count) AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, `
    + `''::text AS body, nullif(current_setting('response.headers', true), '') AS response_headers, `
    + `nullif(current_setting('response.status', true), '') AS response_status, '' AS response_inserted FROM ( SELECT * FROM pgrst_source ) _postgrest_t`;
}

type Caller = "tenant-wide" | "agent";
type Query = "list" | "count";

function pgbenchScript(role: string, caller: Caller, query: Query): string {
  const params: QueryParams = { tenant: ":tn::text", agent: caller === "agent" ? ":u::text" : null, limit: ":lim", offset: ":off", status: ":st" };
  const who = caller === "tenant-wide" ? "random(1, 2)" : `random(10, ${9 + AGENTS_PER_TENANT})`;
  return [
    `\\set t random(1, ${TENANTS})`,
    `\\set u ${ID_BASE} + :t * 100 + ${who}`,
    `\\set tn ${ID_BASE} + :t`,
    `\\set lim ${query === "list" ? 50 : MAX_ROWS}`,
    `\\set off 0`,
    "BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;",
    `${requestSettings(role, ":u::text", query === "list" ? "GET" : "HEAD", "/leads")};`,
    `${query === "list" ? listSql(params) : countSql(params)};`,
    "COMMIT;",
    "",
  ].join("\n");
}

function roleUrl(ctx: BenchContext, role: string): string {
  const url = new URL(dbUrl(ctx.settings));
  url.username = role;
  url.password = "postgres";
  return url.toString();
}

interface PgbenchRun {
  tps: number;
  transactions: number;
}

function pgbench(ctx: BenchContext, script: string, seconds: number): Promise<PgbenchRun> {
  const exe = join(pgBin, "pgbench");
  if (!existsSync(exe)) throw new Error(`${exe} is missing (Debian package postgresql-15; set TANGENT_PG_BIN for another location)`);
  const clients = envInt("TANGENT_BENCH_CLIENTS", 8);
  const args = ["-n", "-M", "prepared", "-c", String(clients), "-j", "2", "-T", String(seconds), "-D", "st=new", "-f", script,
    roleUrl(ctx, "authenticator")];
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const tps = /^tps = ([\d.]+) \(without initial connection time\)/m.exec(out);
      const processed = /^number of transactions actually processed: (\d+)/m.exec(out);
      const failed = /^number of failed transactions: (\d+)/m.exec(out);
      if (code !== 0 || !tps || !processed || (failed && failed[1] !== "0")) {
        reject(new Error(`pgbench ${script} failed (exit ${code}):\n${out}`));
      } else {
        resolve({ tps: Number(tps[1]), transactions: Number(processed[1]) });
      }
    });
  });
}

/**
 * Before anything is timed: one request of each kind must return what RLS promises (owners and
 * managers the whole tenant, agents their own leads, the BYPASSRLS ceiling the tenant), else a fast
 * figure would only mean the policy filtered everything away.
 */
async function checkAnswers(ctx: BenchContext): Promise<void> {
  const sql = postgres(roleUrl(ctx, "authenticator"), { max: 1, onnotice: () => {} });
  const t = 7;
  type Answer = { total_result_set: string | null; page_total: string; body: string | { id: string }[] };
  const ask = async (role: string, user: number, query: Query, ownFilter: boolean) =>
    sql.begin(async (tx) => {
      const params: QueryParams = {
        tenant: "$1::text", agent: ownFilter ? `'${ID_BASE + user}'` : null, limit: "$2", offset: "0", status: "$3",
      };
      await tx.unsafe(requestSettings(role, `'${ID_BASE + user}'`, query === "list" ? "GET" : "HEAD", "/leads"));
      const [row] = await tx.unsafe(query === "list" ? listSql(params) : countSql(params),
        query === "list" ? [String(ID_BASE + t), 50] : [String(ID_BASE + t), MAX_ROWS, "new"]);
      return row as unknown as Answer;
    });
  const ids = (body: Answer["body"]) => (typeof body === "string" ? (JSON.parse(body) as { id: string }[]) : body).map((r) => r.id);
  try {
    const tenant = uuid("tenant", t);
    const agentNo = t * 100 + 13;
    const agent = uuid("user", agentNo);
    const [expected] = await ctx.db<{ tenant_new: string; agent_new: string; agent_all: string }[]>`
      select count(*) filter (where status = 'new') as tenant_new,
             count(*) filter (where status = 'new' and agent_id = ${agent}) as agent_new,
             count(*) filter (where agent_id = ${agent}) as agent_all
        from public.leads where tenant_id = ${tenant}`;
    const problems: string[] = [];
    const expect = async (what: string, role: string, user: number, ownFilter: boolean, scope: "tenant" | "agent") => {
      const seen = ids((await ask(role, user, "list", ownFilter)).body);
      const inScope = (await ctx.db<{ n: string }[]>`
        select count(*) as n from public.leads
         where id = any(${seen}::uuid[]) and tenant_id = ${tenant} and (${scope} = 'tenant' or agent_id = ${agent})`)[0]?.n;
      const want = scope === "tenant" ? 50 : Math.min(50, Number(expected!.agent_all));
      if (seen.length !== want || Number(inScope) !== want) problems.push(`${what} list: ${seen.length} rows, ${inScope} in scope (want ${want})`);
      const total = (await ask(role, user, "count", ownFilter)).total_result_set;
      const wantTotal = scope === "tenant" ? expected!.tenant_new : expected!.agent_new;
      if (Number(total) !== Number(wantTotal)) problems.push(`${what} count: ${total} (want ${wantTotal})`);
    };
    await expect("owner", "authenticated", t * 100 + 1, false, "tenant");
    await expect("manager", "authenticated", t * 100 + 2, false, "tenant");
    await expect("ceiling", "service_role", t * 100 + 1, false, "tenant");
    await expect("agent (tenant filter only)", "authenticated", agentNo, false, "agent");
    await expect("agent", "authenticated", agentNo, true, "agent");
    await expect("agent ceiling", "service_role", agentNo, true, "agent");
    if (problems.length > 0) throw new Error(`RLS answers are wrong, nothing measured: ${problems.join("; ")}`);
  } finally {
    await sql.end();
  }
}

let answersChecked: Promise<void> | null = null;

/** One RLS benchmark: `query` for `caller`s under RLS ÷ the same statements as service_role. */
export function rlsBench(query: Query, caller: Caller) {
  return async (ctx: BenchContext): Promise<BenchResult> => {
    await leadWorld(ctx);
    answersChecked ??= checkAnswers(ctx);
    await answersChecked;
    const name = `rls-lead-${query}${caller === "agent" ? "-agent" : ""}`;
    const measured = join(ctx.workDir, `${name}.rls.sql`);
    const ceiling = join(ctx.workDir, `${name}.bypass.sql`);
    writeFileSync(measured, pgbenchScript("authenticated", caller, query));
    writeFileSync(ceiling, pgbenchScript("service_role", caller, query));
    const seconds = envInt("TANGENT_BENCH_SECONDS", 8);
    // Warm the buffers and the server's catalogs for both before the first timed pair.
    await pgbench(ctx, measured, 2);
    await pgbench(ctx, ceiling, 2);
    const run = await interleaved(name, benchPairs(), "req/s", ctx.log,
      async () => (await pgbench(ctx, measured, seconds)).tps,
      async () => (await pgbench(ctx, ceiling, seconds)).tps);
    const ratio = run.value / run.ceiling;
    ctx.log(`  ${name}: median ratio ${ratio.toFixed(3)} (spread ${run.spread[0].toFixed(3)}–${run.spread[1].toFixed(3)})`);
    return {
      name, value: run.value, unit: "req/s", ceiling: "bypassrls", ceiling_value: run.ceiling, ratio,
      target: ">=0.85", ok: ratio >= 0.85,
    };
  };
}

// ---------------------------------------------------------------------------------------------------
// batch capture
// ---------------------------------------------------------------------------------------------------

interface Lead {
  client_uuid: string;
  customer_name: string;
  phone: string;
  captured_at: string;
}

/**
 * capture-batch: 500-lead batches through public.capture_leads as real agents (one per worker, each
 * in its own tenant) ÷ a plain `insert … on conflict do nothing` of equivalent rows as service_role,
 * into the same table, interleaved. Ends by checking every lead's history and the ledger.
 */
export async function captureBatch(ctx: BenchContext): Promise<BenchResult> {
  await leadWorld(ctx);
  const workers = envInt("TANGENT_BENCH_CAPTURE_WORKERS", 4);
  const seconds = envInt("TANGENT_BENCH_SECONDS", 8);
  const batchSize = 500;
  const sql = postgres(roleUrl(ctx, "authenticator"), { max: workers, onnotice: () => {} });
  const [before] = await ctx.db<{ leads: string; conflicts: string }[]>`
    select (select count(*) from public.leads) as leads, (select count(*) from public.lead_capture_conflicts) as conflicts`;
  let expectedNew = 0;
  // Worker w is agent 10 + w of tenant w + 1; about one lead in 50 comes back with an earlier phone.
  const agents = Array.from({ length: workers }, (_, w) => ({
    tenant: uuid("tenant", w + 1), user: (w + 1) * 100 + 10 + (w % AGENTS_PER_TENANT),
    outlet: uuid("outlet", (w + 1) * 10 + (w % AGENTS_PER_TENANT) % OUTLETS_PER_TENANT), phones: [] as string[],
  }));
  const batch = (agent: (typeof agents)[number]): Lead[] => Array.from({ length: batchSize }, () => {
    const again = agent.phones.length > 0 && Math.random() < 0.02;
    const phone = again ? agent.phones[Math.floor(Math.random() * agent.phones.length)]! : `+4916${String(Math.floor(Math.random() * 1e9)).padStart(9, "0")}`;
    if (!again && agent.phones.length < 5000) agent.phones.push(phone);
    return {
      client_uuid: randomUUID(), customer_name: `Walk-in ${Math.floor(Math.random() * 1e6)}`, phone,
      captured_at: new Date(Date.now() - Math.floor(Math.random() * 86_400_000)).toISOString(),
    };
  });
  const phase = async (mode: "capture" | "insert"): Promise<number> => {
    const deadline = performance.now() + seconds * 1000;
    const started = performance.now();
    let created = 0;
    await Promise.all(agents.map(async (agent) => {
      while (performance.now() < deadline) {
        const leads = batch(agent);
        const user = String(ID_BASE + agent.user);
        if (mode === "capture") {
          const rows = await sql.begin(async (tx) => {
            await tx.unsafe(requestSettings("authenticated", `'${user}'`, "POST", "/rpc/capture_leads"));
            return tx.unsafe("select * from public.capture_leads($1::uuid, $2::text::jsonb)", [agent.tenant, JSON.stringify(leads)]);
          });
          const refused = rows.filter((r) => r.result !== "created");
          if (rows.length !== batchSize || refused.length > 0) {
            throw new Error(`capture_leads did not create every lead: ${rows.length} results, e.g. ${JSON.stringify(refused[0] ?? null)}`);
          }
          created += rows.length;
        } else {
          const agentId = uuid("user", agent.user);
          const rows = leads.map((l) => ({
            ...l, outlet_id: agent.outlet, agent_id: agentId,
            payload_hash: createHash("sha256").update(JSON.stringify([agent.outlet, agentId, l.customer_name, l.phone, l.captured_at])).digest("hex"),
          }));
          const result = await sql.begin(async (tx) => {
            await tx.unsafe(requestSettings("service_role", `'${user}'`, "POST", "/leads"));
            return tx.unsafe(`insert into public.leads (tenant_id, client_uuid, outlet_id, agent_id, customer_name, phone, captured_at, payload_hash, created_by)
              select $1::uuid, r.client_uuid, r.outlet_id, r.agent_id, r.customer_name, r.phone, r.captured_at, r.payload_hash, r.agent_id
                from jsonb_to_recordset($2::text::jsonb) as r(client_uuid uuid, outlet_id uuid, agent_id uuid, customer_name text, phone text,
                                                        captured_at timestamptz, payload_hash text)
                  on conflict (tenant_id, client_uuid) do nothing`, [agent.tenant, JSON.stringify(rows)]);
          });
          if (result.count !== batchSize) throw new Error(`the plain insert stored ${result.count} of ${batchSize} leads`);
          created += result.count;
        }
      }
    }));
    expectedNew += created;
    return created / ((performance.now() - started) / 1000);
  };
  try {
    await phase("capture");
    await phase("insert");
    const run = await interleaved("capture-batch", benchPairs(), "leads/s", ctx.log,
      () => phase("capture"), () => phase("insert"));
    await checkCaptureInvariants(ctx, Number(before!.leads) + expectedNew, Number(before!.conflicts));
    const ratio = run.value / run.ceiling;
    ctx.log(`  capture-batch: median ratio ${ratio.toFixed(3)} (spread ${run.spread[0].toFixed(3)}–${run.spread[1].toFixed(3)})`);
    return {
      name: "capture-batch", value: run.value, unit: "leads/s", ceiling: "plain-insert", ceiling_value: run.ceiling, ratio,
      target: ">=0.5", ok: ratio >= 0.5,
    };
  } finally {
    await sql.end();
  }
}

async function checkCaptureInvariants(ctx: BenchContext, leads: number, conflicts: number): Promise<void> {
  const [row] = await ctx.db<{ leads: string; conflicts: string; without_one_capture: string; history_leads: string; unbalanced: string }[]>`
    select (select count(*) from public.leads) as leads,
           (select count(*) from public.lead_capture_conflicts) as conflicts,
           (select count(*) from (select h.lead_id from public.lead_status_history h where h.from_status is null
                                   group by h.lead_id having count(*) <> 1) x) as without_one_capture,
           (select count(distinct h.lead_id) from public.lead_status_history h where h.from_status is null) as history_leads,
           (select count(*) from public.ledger_unbalanced_transactions()) as unbalanced`;
  const problems: string[] = [];
  if (Number(row!.leads) !== leads) problems.push(`${row!.leads} leads, expected ${leads}`);
  if (Number(row!.conflicts) !== conflicts) problems.push(`${Number(row!.conflicts) - conflicts} new capture conflicts`);
  if (Number(row!.without_one_capture) !== 0 || Number(row!.history_leads) !== leads) {
    problems.push(`${row!.without_one_capture} leads with several 'captured' history rows, ${row!.history_leads} of ${leads} leads have one`);
  }
  if (Number(row!.unbalanced) !== 0) problems.push(`${row!.unbalanced} unbalanced ledger transactions`);
  if (problems.length > 0) throw new Error(`capture-batch invariants broken: ${problems.join("; ")}`);
}
