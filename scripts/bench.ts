// `npm run bench [name...] [-- --json]`: benchmarks against a stack of their own. No figure is judged by
// itself: each is divided by a ceiling measured in the same run on the same machine, and the ratio is
// compared with the target. One line per benchmark (DESIGN §6):
//   bench <name>: <value> <unit> / <ceiling name> <value> <unit> = <ratio> (target <target>)
// Progress goes to stderr. Knobs (environment): TANGENT_BENCH_SECONDS per timed run (8),
// TANGENT_BENCH_PAIRS of interleaved measured/ceiling runs (5), TANGENT_BENCH_CLIENTS for pgbench (8),
// TANGENT_BENCH_CAPTURE_WORKERS (4).
import { spawnSync } from "node:child_process";
import postgres from "postgres";
import { median, type BenchContext, type BenchResult } from "./lib/bench-common.ts";
import { hotCreator, httpSpend, spendBench } from "./lib/bench-points.ts";
import { bonusRun, kpiLeadInserts, kpiRefresh10m, kpiRefresh1m } from "./lib/bench-bonus.ts";
import { captureBatch, rlsBench } from "./lib/bench-sales.ts";
import { ephemeralStack } from "./lib/ephemeral-stack.ts";
import { loadOrCreateKeys } from "./lib/keys.ts";
import { apiUrl, dbUrl, repoRoot } from "./lib/settings.ts";
import { join } from "node:path";

/**
 * login-timing: the login function must not tell an unknown username from a wrong password by how long
 * it takes. Value: median latency for unknown usernames; ceiling: median latency for wrong passwords of
 * real accounts (bcrypt cost 10, as Auth hashes). Target: within 0.8–1.25 of each other.
 */
async function loginTiming({ api, db, serviceKey }: BenchContext): Promise<BenchResult> {
  const samples = 40;
  const emails: string[] = [];
  for (let i = 0; i < samples; i++) {
    const email = `bench-${crypto.randomUUID().slice(0, 8)}@bench.tangent`;
    // Through Auth's admin API, so the hash is Auth's own (bcrypt cost 10).
    const res = await fetch(`${api}/auth/v1/admin/users`, {
      method: "POST",
      headers: { apikey: serviceKey, authorization: `Bearer ${serviceKey}`, "content-type": "application/json" },
      body: JSON.stringify({ email, password: "correct-horse-1", email_confirm: true }),
    });
    if (!res.ok) throw new Error(`creating a bench user failed: ${res.status} ${await res.text()}`);
    emails.push(email);
  }
  // Every attempt from its own address and at its own account: the rate limits and the lockout must
  // not shape what is measured.
  let address = 0;
  const attempt = async (body: Record<string, string>): Promise<number> => {
    address += 1;
    const started = performance.now();
    const res = await fetch(`${api}/functions/v1/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}` },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    const elapsed = performance.now() - started;
    if (res.status !== 400) throw new Error(`expected 400 auth.invalid_credentials, got ${res.status} ${text}`);
    return elapsed;
  };
  await attempt({ username: "warm_up_unknown", password: "wrong-password-1" });
  const unknown: number[] = [];
  const wrong: number[] = [];
  for (let i = 0; i < samples; i++) {
    unknown.push(await attempt({ username: `nobody_${crypto.randomUUID().slice(0, 8)}`, password: "wrong-password-1" }));
    wrong.push(await attempt({ email: emails[i]!, password: "wrong-password-1" }));
  }
  await db`delete from auth.users where email like 'bench-%@bench.tangent'`;
  const value = median(unknown);
  const ceiling = median(wrong);
  const ratio = value / ceiling;
  return {
    name: "login-timing", value, unit: "ms", ceiling: "wrong-password", ceiling_value: ceiling, ratio,
    target: "0.8-1.25", ok: ratio >= 0.8 && ratio <= 1.25,
  };
}

const benches: Record<string, (ctx: BenchContext) => Promise<BenchResult>> = {
  "login-timing": loginTiming,
  // B3: the tenant lead list and the dashboard count under RLS ÷ the same requests as BYPASSRLS.
  "rls-lead-list": rlsBench("list", "tenant-wide"),
  "rls-lead-count": rlsBench("count", "tenant-wide"),
  "rls-lead-list-agent": rlsBench("list", "agent"),
  "rls-lead-count-agent": rlsBench("count", "agent"),
  // capture_leads batches ÷ a plain insert of the same rows.
  "capture-batch": captureBatch,
  // Issue 6: use_tool throughput ÷ a random-row UPDATE, hot creator ÷ spread, HTTP ÷ direct SQL.
  "points-spend-8": spendBench(8),
  "points-spend-32": spendBench(32),
  "points-spend-hot": hotCreator,
  "points-spend-http": httpSpend,
  // Bonus engine and KPIs (bench-bonus.ts): a run ÷ a plain aggregate; a one-day refresh ÷ a full recompute; inserts with ÷ without the KPI queue.
  "bonus-run": bonusRun,
  "kpi-refresh-1m": kpiRefresh1m,
  "kpi-refresh-10m": kpiRefresh10m,
  "kpi-lead-inserts": kpiLeadInserts,
};

function line(r: BenchResult): string {
  return `bench ${r.name}: ${r.value.toFixed(1)} ${r.unit} / ${r.ceiling} ${r.ceiling_value.toFixed(1)} ${r.unit} = ${r.ratio.toFixed(3)} (target ${r.target})`;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const asJson = args.includes("--json");
  const wanted = args.filter((a) => !a.startsWith("--"));
  const unknown = wanted.filter((name) => !(name in benches));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(", ")}; available: ${Object.keys(benches).join(", ")}`);
    return 2;
  }
  const selected = wanted.length > 0 ? wanted : Object.keys(benches);
  const stack = await ephemeralStack("bench");
  const results: BenchResult[] = [];
  try {
    const started = spawnSync(process.execPath, stack.stackArgs("start"), { cwd: repoRoot, env: stack.env, stdio: ["ignore", "ignore", "inherit"] });
    if (started.status !== 0) throw new Error("the bench stack did not start");
    const keys = await loadOrCreateKeys(join(stack.settings.stackDir, "keys.json"));
    const db = postgres(dbUrl(stack.settings, "supabase_admin"), { max: 2, onnotice: () => {} });
    try {
      const log = (text: string) => process.stderr.write(`${text}\n`);
      // The figures are of the statements timed, not of pg_cron: its KPI refresh would otherwise work
      // through the days the lead world just queued in the middle of timed runs.
      await db`update cron.job set active = false`;
      const ctx: BenchContext = {
        api: apiUrl(stack.settings), db, serviceKey: keys.serviceRoleKey, settings: stack.settings, workDir: stack.settings.stackDir, log,
      };
      for (const name of selected) {
        const started = performance.now();
        log(`━━ ${name}`);
        const result = await benches[name]!(ctx);
        log(`  (${((performance.now() - started) / 1000).toFixed(0)} s)`);
        results.push(result);
        if (!asJson) console.log(`${line(result)}${result.ok ? "" : "  FAILS TARGET"}`);
      }
    } finally {
      await db.end();
    }
  } finally {
    stack.teardown();
  }
  if (asJson) console.log(JSON.stringify(results.map(({ ok: _ok, ...r }) => r), null, 2));
  return results.every((r) => r.ok) ? 0 : 1;
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
