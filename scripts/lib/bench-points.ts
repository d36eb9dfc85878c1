// Points benchmarks (issue 6, point 16) on a world of their own: 100k clients with wallets and live
// sessions, 1k creators with one approved tool each.
//   points-spend-8 / points-spend-32: public.use_tool as PostgREST runs it (one transaction: request
//     settings, the RPC), random client and random tool, at 8 and 32 pgbench clients ÷ a single-statement
//     random-row UPDATE of a 100k-row table on the same cluster and client count (target ≥ 0.8).
//   points-spend-hot: every spend pays tool 1 (one creator) ÷ the spread case (target ≥ 0.9).
//   points-spend-http: the use-tool edge function over HTTP ÷ the same RPC sent directly (target ≥ 0.5).
// Every benchmark ends by checking the ledger: no wallet below zero, cached balances equal their
// entries, every transfer balanced. Knobs: TANGENT_BENCH_SECONDS, TANGENT_BENCH_PAIRS,
// TANGENT_BENCH_POINTS_CLIENTS (100000) and TANGENT_BENCH_POINTS_CREATORS (1000) to scale down.
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { join } from "node:path";
import postgres from "postgres";
import { benchPairs, envInt, interleaved, type BenchContext, type BenchResult } from "./bench-common.ts";
import { loadOrCreateKeys, signAccessToken } from "./keys.ts";
import { dbUrl } from "./settings.ts";

const pgBin = process.env.TANGENT_PG_BIN ?? "/usr/lib/postgresql/15/bin";
const CLIENTS = envInt("TANGENT_BENCH_POINTS_CLIENTS", 100_000);
const CREATORS = envInt("TANGENT_BENCH_POINTS_CREATORS", 1000);
const START_POINTS = 1_000_000;

// Ids pgbench can compute: 12-digit numbers in fixed UUID prefixes.
const ID_BASE = 100000000000;
const prefixes = { client: "00000000-0000-4000-8101-", session: "00000000-0000-4000-8102-", creator: "00000000-0000-4000-8103-", tool: "00000000-0000-4000-8104-" };
const id = (kind: keyof typeof prefixes, n: number) => `${prefixes[kind]}${ID_BASE + n}`;
const sqlId = (kind: keyof typeof prefixes, n: string) => `('${prefixes[kind]}' || (${ID_BASE} + ${n}))::uuid`;

let world: Promise<void> | null = null;

function pointsWorld(ctx: BenchContext): Promise<void> {
  world ??= buildWorld(ctx);
  return world;
}

async function buildWorld({ db, log }: BenchContext): Promise<void> {
  const started = performance.now();
  log(`  building the points world: ${CLIENTS} clients, ${CREATORS} creators and tools`);
  const users = (kind: "client" | "creator", count: number, role: string) => db.unsafe(`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, confirmation_token, recovery_token,
                            email_change_token_new, email_change, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    select '00000000-0000-0000-0000-000000000000', ${sqlId(kind, "g")}, 'authenticated', 'authenticated',
           'bench-${kind}-' || g || '@bench.tangent', '', now(), '', '', '', '',
           '{"provider": "email", "providers": ["email"]}', '{"role": "${role}"}', now(), now()
      from generate_series(1, ${count}) g`);
  await users("client", CLIENTS, "client");
  await users("creator", CREATORS, "tool_creator");
  await db.unsafe(`insert into auth.sessions (id, user_id, created_at, updated_at, aal)
    select ${sqlId("session", "g")}, ${sqlId("client", "g")}, now(), now(), 'aal1' from generate_series(1, ${CLIENTS}) g`);
  await db.unsafe(`insert into public.tools (id, creator_id, name, price_points, status)
    select ${sqlId("tool", "g")}, ${sqlId("creator", "g")}, 'Bench tool ' || g, 1, 'approved' from generate_series(1, ${CREATORS}) g`);
  // Every wallet starts with points issued by one balanced transfer, so the invariants hold from the start.
  await db.unsafe(`
    with accounts as (
      insert into public.points_accounts (owner_id, kind, balance, held)
      select ${sqlId("client", "g")}, k, case when k = 'client_paid' then ${START_POINTS} else 0 end, 0
        from generate_series(1, ${CLIENTS}) g, unnest(array['client_paid', 'client_granted']::public.points_account_kind[]) k
      returning id, kind),
    transfer as (insert into public.points_transfers (code, memo) values ('purchase', 'bench wallets') returning id)
    insert into public.points_entries (transfer_id, account_id, amount)
    select t.id, a.id, ${START_POINTS} from transfer t, accounts a where a.kind = 'client_paid'
    union all
    select t.id, private.points_account(null, 'platform_issuance'), -${START_POINTS}::bigint * ${CLIENTS} from transfer t`);
  await db.unsafe(`create table if not exists private.bench_rows (id bigint primary key, balance bigint not null)`);
  await db.unsafe(`insert into private.bench_rows select g, ${START_POINTS} from generate_series(1, ${CLIENTS}) g on conflict do nothing`);
  await db.unsafe("vacuum analyze auth.users, auth.sessions, public.points_accounts, public.tools, private.bench_rows");
  log(`  world built in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

/** The per-request settings PostgREST sends, for client number `n` (an SQL expression). */
function requestSettings(n: string): string {
  const claims = `'{"aud": "authenticated", "exp": 4102444800, "iat": 1767225600, "sub": "${prefixes.client}' || ${n} || '", `
    + `"role": "authenticated", "aal": "aal1", "session_id": "${prefixes.session}' || ${n} || '", "is_anonymous": false}'`;
  return `SELECT set_config('search_path', '"public", "extensions"', true), set_config('role', 'authenticated', true), `
    + `set_config('request.jwt.claims', ${claims}, true), set_config('request.method', 'POST', true), `
    + `set_config('request.path', '/rpc/use_tool', true)`;
}

/** A request as PostgREST sends it (settings, then `statement`) for a random client and tool. */
function requestScript(hot: boolean, statement: string): string {
  return [
    `\\set c ${ID_BASE} + random(1, ${CLIENTS})`,
    `\\set t ${ID_BASE} + ${hot ? "1" : `random(1, ${CREATORS})`}`,
    "BEGIN;",
    `${requestSettings(":c::text")};`,
    `${statement};`,
    "COMMIT;",
    "",
  ].join("\n");
}

const spendScript = (hot: boolean) =>
  requestScript(hot, `SELECT result FROM public.use_tool(('${prefixes.tool}' || :t)::uuid, gen_random_uuid()::text)`);

const updateScript = [`\\set c random(1, ${CLIENTS})`, "UPDATE private.bench_rows SET balance = balance - 1 WHERE id = :c;", ""].join("\n");

function roleUrl(ctx: BenchContext, role: string): string {
  const url = new URL(dbUrl(ctx.settings));
  url.username = role;
  url.password = "postgres";
  return url.toString();
}

function pgbench(ctx: BenchContext, script: string, clients: number, seconds: number, role: string): Promise<number> {
  const exe = join(pgBin, "pgbench");
  if (!existsSync(exe)) throw new Error(`${exe} is missing (Debian package postgresql-15; set TANGENT_PG_BIN for another location)`);
  const args = ["-n", "-M", "prepared", "-c", String(clients), "-j", "2", "-T", String(seconds), "-f", script, roleUrl(ctx, role)];
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const tps = /^tps = ([\d.]+) \(without initial connection time\)/m.exec(out);
      const failed = /^number of failed transactions: (\d+)/m.exec(out);
      if (code !== 0 || !tps || (failed && failed[1] !== "0")) reject(new Error(`pgbench ${script} failed (exit ${code}):\n${out}`));
      else resolve(Number(tps[1]));
    });
  });
}

/** The ledger after a benchmark: anything wrong fails the run loudly. */
async function checkLedger({ db }: BenchContext, name: string): Promise<void> {
  const [row] = await db<{ drifted: unknown[]; unbalanced: unknown[]; negative: string }[]>`
    select p.drifted, p.unbalanced,
           (select count(*) from public.points_accounts a where a.balance - a.held < 0 or a.balance < 0) as negative
      from private.points_ledger_problems() p`;
  if (row!.drifted.length > 0 || row!.unbalanced.length > 0 || Number(row!.negative) > 0) {
    throw new Error(`${name}: ledger invariants broken: ${JSON.stringify(row)}`);
  }
}

const seconds = () => envInt("TANGENT_BENCH_SECONDS", 8);

/** use_tool at `clients` pgbench clients ÷ a single-statement random-row UPDATE at the same count. */
export function spendBench(clients: number) {
  return async (ctx: BenchContext): Promise<BenchResult> => {
    await pointsWorld(ctx);
    const name = `points-spend-${clients}`;
    const measured = join(ctx.workDir, `${name}.sql`);
    const ceiling = join(ctx.workDir, `${name}.update.sql`);
    writeFileSync(measured, spendScript(false));
    writeFileSync(ceiling, updateScript);
    await pgbench(ctx, measured, clients, 2, "authenticator");
    await pgbench(ctx, ceiling, clients, 2, "supabase_admin");
    const run = await interleaved(name, benchPairs(), "tx/s", ctx.log,
      () => pgbench(ctx, measured, clients, seconds(), "authenticator"),
      () => pgbench(ctx, ceiling, clients, seconds(), "supabase_admin"));
    await checkLedger(ctx, name);
    // What no spend can beat: the same request doing nothing (SELECT 1 instead of the RPC) ÷ the UPDATE.
    const empty = join(ctx.workDir, `${name}.empty.sql`);
    writeFileSync(empty, requestScript(false, "SELECT 1"));
    const floor = await interleaved(`${name} (empty request)`, 1, "tx/s", ctx.log,
      () => pgbench(ctx, empty, clients, seconds(), "authenticator"),
      () => pgbench(ctx, ceiling, clients, seconds(), "supabase_admin"));
    ctx.log(`  ${name}: an empty PostgREST request reaches ${(floor.value / floor.ceiling).toFixed(3)} of the UPDATE, the bound for any spend`);
    const ratio = run.value / run.ceiling;
    return { name, value: run.value, unit: "tx/s", ceiling: "random-row-update", ceiling_value: run.ceiling, ratio, target: ">= 0.8", ok: ratio >= 0.8 };
  };
}

/** Every spend paying one creator ÷ spends spread over all creators, at 32 clients. */
export async function hotCreator(ctx: BenchContext): Promise<BenchResult> {
  await pointsWorld(ctx);
  const name = "points-spend-hot";
  const hot = join(ctx.workDir, `${name}.sql`);
  const spread = join(ctx.workDir, `${name}.spread.sql`);
  writeFileSync(hot, spendScript(true));
  writeFileSync(spread, spendScript(false));
  const run = await interleaved(name, benchPairs(), "tx/s", ctx.log,
    () => pgbench(ctx, hot, 32, seconds(), "authenticator"),
    () => pgbench(ctx, spread, 32, seconds(), "authenticator"));
  await checkLedger(ctx, name);
  const ratio = run.value / run.ceiling;
  return { name, value: run.value, unit: "tx/s", ceiling: "spread-creators", ceiling_value: run.ceiling, ratio, target: ">= 0.9", ok: ratio >= 0.9 };
}

/** The use-tool function over HTTP ÷ the same RPC sent directly, both by 8 concurrent callers. */
export async function httpSpend(ctx: BenchContext): Promise<BenchResult> {
  await pointsWorld(ctx);
  const name = "points-spend-http";
  const workers = 8;
  const keys = await loadOrCreateKeys(join(ctx.workDir, "keys.json"));
  const callers = Math.min(CLIENTS, 500);
  const tokens = await Promise.all(Array.from({ length: callers }, (_, i) => signAccessToken(keys, {
    sub: id("client", i + 1), session_id: id("session", i + 1), role: "authenticated", aud: "authenticated",
    exp: Math.floor(Date.now() / 1000) + 3600, iat: Math.floor(Date.now() / 1000), aal: "aal1", is_anonymous: false,
  })));
  const direct = postgres(roleUrl(ctx, "authenticator"), { max: workers, onnotice: () => {}, prepare: false });
  const tool = (i: number) => id("tool", (i % CREATORS) + 1);
  // node:http on kept-alive sockets rather than fetch: the load generator shares the two cores with
  // what it measures, and fetch spent about twice as much CPU per request as the gateway it called.
  const agent = new Agent({ keepAlive: true, maxSockets: workers });
  const endpoint = new URL(`${ctx.api}/functions/v1/use-tool`);
  const overHttp = (i: number) => new Promise<void>((resolve, reject) => {
    const body = JSON.stringify({ tool_id: tool(i), request_key: crypto.randomUUID() });
    const req = httpRequest(endpoint, {
      method: "POST", agent,
      headers: { authorization: `Bearer ${tokens[i % callers]!}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    }, (res) => {
      let answer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (answer += chunk));
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`use-tool answered ${res.statusCode}: ${answer}`))));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
  const viaSql = async (i: number) => {
    await direct.begin(async (tx) => {
      await tx.unsafe(requestSettings(`'${ID_BASE + (i % callers) + 1}'`));
      const [row] = await tx<{ result: string }[]>`select result from public.use_tool(${tool(i)}::uuid, ${crypto.randomUUID()})`;
      if (row?.result !== "ok") throw new Error(`use_tool answered ${row?.result}`);
    });
  };
  const rate = async (call: (i: number) => Promise<void>, span = seconds()): Promise<number> => {
    const until = performance.now() + span * 1000;
    let done = 0;
    let next = 0;
    await Promise.all(Array.from({ length: workers }, async () => {
      while (performance.now() < until) {
        await call(next++);
        done += 1;
      }
    }));
    return done / span;
  };
  try {
    // Warm up both paths (the JIT of the gateway, the function and the client) as the pgbench ones are.
    await rate(overHttp, 2);
    await rate(viaSql, 2);
    const run = await interleaved(name, benchPairs(), "req/s", ctx.log, () => rate(overHttp), () => rate(viaSql));
    await checkLedger(ctx, name);
    const ratio = run.value / run.ceiling;
    return { name, value: run.value, unit: "req/s", ceiling: "direct-sql", ceiling_value: run.ceiling, ratio, target: ">= 0.5", ok: ratio >= 0.5 };
  } finally {
    agent.destroy();
    await direct.end();
  }
}
