// Bonus and KPI benchmarks (issue 5) on worlds of their own, loaded set-based by the superuser with
// triggers off (session_replication_role = replica) but with every row the triggers would have written
// (captured history rows, balanced ledger transactions), so the invariants hold afterwards:
//   bonus-run          one tenant-month of 100k sales under 10 rules: calculate_bonus_run ÷ a single
//                      read-only aggregate over the same sales (target ≥ 0.3)
//   kpi-refresh-1m,    refreshing one dirty tenant day with 1M / 10M leads (+ their history rows) stored
//   kpi-refresh-10m    ÷ recomputing every day of the same definitions (target ≤ 0.01 at 10M)
//   kpi-lead-inserts   lead inserts with the KPI queue triggers on ÷ the same inserts with them off (≥ 0.9)
// Knobs: TANGENT_BENCH_BONUS_SALES (100000), TANGENT_BENCH_KPI_ROWS ("1000000,10000000": the two history
// sizes), TANGENT_BENCH_PAIRS (5), TANGENT_BENCH_SECONDS (8) and TANGENT_BENCH_CAPTURE_WORKERS (4).
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { benchPairs, envInt, interleaved, type BenchContext, type BenchResult } from "./bench-common.ts";
import { dbUrl } from "./settings.ts";

const timed = async (work: () => Promise<unknown>): Promise<number> => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

async function checkLedger(ctx: BenchContext, name: string, extra: string[] = []): Promise<void> {
  const [row] = await ctx.db<{ unbalanced: string }[]>`select count(*) as unbalanced from public.ledger_unbalanced_transactions()`;
  const problems = [...extra];
  if (Number(row!.unbalanced) !== 0) problems.push(`${row!.unbalanced} unbalanced ledger transactions`);
  if (problems.length > 0) throw new Error(`${name} invariants broken: ${problems.join("; ")}`);
}

// ---------------------------------------------------------------------------------------------------
// bonus-run
// ---------------------------------------------------------------------------------------------------

const BONUS_TENANT = "00000000-0000-4000-8101-000000000001";
const BONUS_SET = "00000000-0000-4000-8101-000000000002";
const BONUS_AGENTS = 50;
const BONUS_OUTLETS = 5;

async function buildBonusWorld({ db, log }: BenchContext, sales: number): Promise<void> {
  log(`  building the bonus world: 1 tenant, ${BONUS_OUTLETS} outlets, ${BONUS_AGENTS} agents, ${sales} sales in October 2026`);
  const outlet = (i: string) => `('00000000-0000-4000-8102-' || lpad((${i})::text, 12, '0'))::uuid`;
  const agent = (i: string) => `('00000000-0000-4000-8103-' || lpad((${i})::text, 12, '0'))::uuid`;
  await db.begin(async (tx) => {
    await tx.unsafe("set local session_replication_role = replica");
    await tx.unsafe(`insert into public.tenants (id, name, slug, time_zone, currency) values ('${BONUS_TENANT}', 'Bench bonus', 'bench-bonus', 'Asia/Tashkent', 'UZS')`);
    await tx.unsafe(`insert into public.regions (id, tenant_id, name) values
      ('00000000-0000-4000-8104-000000000001', '${BONUS_TENANT}', 'R1'), ('00000000-0000-4000-8104-000000000002', '${BONUS_TENANT}', 'R2')`);
    await tx.unsafe(`insert into public.outlets (id, tenant_id, region_id, name)
      select ${outlet("i")}, '${BONUS_TENANT}', ('00000000-0000-4000-8104-00000000000' || (1 + i % 2))::uuid, 'Outlet ' || i
        from generate_series(0, ${BONUS_OUTLETS - 1}) i`);
    await tx.unsafe(`insert into auth.users (instance_id, id, aud, role, email, encrypted_password, confirmation_token, recovery_token,
        email_change_token_new, email_change, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
      select '00000000-0000-0000-0000-000000000000', ${agent("i")}, 'authenticated', 'authenticated', 'bonus-' || i || '@bonus.bench', '',
             '', '', '', '', '{"provider": "email", "providers": ["email"]}', '{}', now(), now()
        from generate_series(0, ${BONUS_AGENTS}) i`);
    // Agent 0 manages outlet 0 (override shares); agents 1…50 sell, 10 per outlet.
    await tx.unsafe(`insert into public.tenant_memberships (tenant_id, user_id, role, outlet_id)
      select '${BONUS_TENANT}', ${agent("i")}, case when i = 0 then 'outlet_manager' else 'agent' end::public.tenant_role, ${outlet(`i % ${BONUS_OUTLETS}`)}
        from generate_series(0, ${BONUS_AGENTS}) i`);
    await tx.unsafe(`insert into public.leads (id, tenant_id, client_uuid, outlet_id, agent_id, customer_name, phone, status, captured_at, payload_hash)
      select ('00000000-0000-4000-8105-' || lpad(g::text, 12, '0'))::uuid, '${BONUS_TENANT}', gen_random_uuid(),
             ${outlet(`(1 + g % ${BONUS_AGENTS}) % ${BONUS_OUTLETS}`)}, ${agent(`1 + g % ${BONUS_AGENTS}`)}, 'Bench ' || g,
             '+99890' || lpad(g::text, 7, '0'), 'converted', timestamptz '2026-10-01 00:00+05' + (g % 2592000) * interval '1 second',
             repeat('0', 64)
        from generate_series(1, ${sales}) g`);
    await tx.unsafe(`insert into public.lead_status_history (lead_id, tenant_id, from_status, to_status, changed_at)
      select l.id, l.tenant_id, s.f, s.t, l.captured_at
        from public.leads l cross join (values (null::public.lead_status, 'new'::public.lead_status), ('new', 'converted')) s(f, t)
       where l.tenant_id = '${BONUS_TENANT}'`);
    await tx.unsafe(`insert into public.ledger_accounts (tenant_id, code, name, kind, currency) values
      ('${BONUS_TENANT}', 'sales_receivable', 'Sales receivable', 'asset', 'UZS'), ('${BONUS_TENANT}', 'sales_revenue', 'Sales revenue', 'revenue', 'UZS')`);
    await tx.unsafe(`insert into public.ledger_transactions (id, tenant_id, kind, idempotency_key, occurred_at)
      select ('00000000-0000-4000-8106-' || right(l.id::text, 12))::uuid, l.tenant_id, 'conversion', 'bench:' || l.id, l.captured_at
        from public.leads l where l.tenant_id = '${BONUS_TENANT}'`);
    await tx.unsafe(`insert into public.conversions (tenant_id, lead_id, amount, currency, product_sku, sold_at, outlet_id, agent_id, request_key, ledger_transaction_id)
      select l.tenant_id, l.id, 10000 + (right(l.id::text, 12)::bigint * 7919) % 990000, 'UZS',
             (array['TV', 'PHONE', 'FRIDGE', 'LAPTOP'])[1 + right(l.id::text, 12)::bigint % 4], l.captured_at + interval '1 hour',
             l.outlet_id, l.agent_id, 'bench:' || l.id, ('00000000-0000-4000-8106-' || right(l.id::text, 12))::uuid
        from public.leads l where l.tenant_id = '${BONUS_TENANT}'`);
    await tx.unsafe(`insert into public.ledger_entries (transaction_id, tenant_id, account_id, amount, currency)
      select c.ledger_transaction_id, c.tenant_id, a.id, case when a.code = 'sales_receivable' then c.amount else -c.amount end, 'UZS'
        from public.conversions c join public.ledger_accounts a on a.tenant_id = c.tenant_id
       where c.tenant_id = '${BONUS_TENANT}'`);
    await tx.unsafe(`insert into public.bonus_rule_sets (id, tenant_id, name, status, effective_from) values ('${BONUS_SET}', '${BONUS_TENANT}', 'Bench', 'published', '2026-01-01')`);
    await tx.unsafe(`insert into public.bonus_rules (rule_set_id, tenant_id, name, position, kind, flat_amount, percent, tiers, tier_mode,
                                                     outlet_ids, region_ids, product_skus, min_amount, min_count, cap_per_agent, manager_share)
      values ('${BONUS_SET}', '${BONUS_TENANT}', 'flat', 1, 'flat_per_conversion', 5000, null, null, null, null, null, null, null, 0, null, 0.1),
             ('${BONUS_SET}', '${BONUS_TENANT}', 'flat big', 2, 'flat_per_conversion', 20000, null, null, null, null, null, null, 500000, 0, null, 0),
             ('${BONUS_SET}', '${BONUS_TENANT}', 'percent', 3, 'percent_of_amount', null, 1, null, null, null, null, null, null, 0, 3000000, 0),
             ('${BONUS_SET}', '${BONUS_TENANT}', 'TVs', 4, 'percent_of_amount', null, 2.5, null, null, null, null, '{TV}', null, 0, null, 0),
             ('${BONUS_SET}', '${BONUS_TENANT}', 'count bands', 5, 'tiered_by_count', null, null,
              '[{"from":0,"to":500,"rate":1000},{"from":500,"to":1500,"rate":2000},{"from":1500,"to":null,"rate":3000}]', 'marginal', null, null, null, null, 0, null, 0),
             ('${BONUS_SET}', '${BONUS_TENANT}', 'amount bands', 6, 'tiered_by_amount', null, null,
              '[{"from":0,"to":500000000,"rate":0.5},{"from":500000000,"to":null,"rate":1}]', 'whole_volume', null, null, null, null, 0, null, 0.05),
             ('${BONUS_SET}', '${BONUS_TENANT}', 'outlet 0', 7, 'flat_per_conversion', 1000, null, null, null, array[${outlet("0")}], null, null, null, 0, null, 0),
             ('${BONUS_SET}', '${BONUS_TENANT}', 'region 2', 8, 'flat_per_conversion', 1500, null, null, null, null, '{00000000-0000-4000-8104-000000000002}', null, null, 0, null, 0),
             ('${BONUS_SET}', '${BONUS_TENANT}', 'phones threshold', 9, 'flat_per_conversion', 3000, null, null, null, null, null, '{PHONE}', null, 600, null, 0),
             ('${BONUS_SET}', '${BONUS_TENANT}', 'laptops capped', 10, 'percent_of_amount', null, 5, null, null, null, null, '{LAPTOP}', null, 0, 1000000, 0)`);
  });
  await db.unsafe("vacuum analyze public.conversions, public.leads, public.outlets, public.tenant_memberships, public.bonus_rules");
}

export async function bonusRun(ctx: BenchContext): Promise<BenchResult> {
  const sales = envInt("TANGENT_BENCH_BONUS_SALES", 100_000);
  await buildBonusWorld(ctx, sales);
  const [run] = await ctx.db<{ id: string }[]>`
    select (private.create_bonus_run(${BONUS_TENANT}, ${BONUS_SET}, '2026-10-01', '2026-10-31', ${`bench-${randomUUID()}`})).id`;
  const runId = run!.id;
  // Every recalculation reads the same inputs: the sales recorded up to the end of the load.
  const [loaded] = await ctx.db<{ at: string }[]>`select now()::text as at`;
  const calculate = () => timed(() => ctx.db`select private.calculate_bonus_run(${runId}, ${loaded!.at}::timestamptz)`);
  const aggregate = () => timed(() => ctx.db`
    select agent_id, count(*), sum(amount) from public.conversions
     where tenant_id = ${BONUS_TENANT} and sold_at >= '2026-10-01T00:00:00+05' and sold_at < '2026-11-01T00:00:00+05'
     group by agent_id`);
  await calculate();
  await aggregate();
  const pair = await interleaved("bonus-run", benchPairs(), "runs/s", ctx.log,
    async () => 1000 / await calculate(), async () => 1000 / await aggregate());
  const [check] = await ctx.db<{ items: string; counted: string; total_ok: boolean; hash: string | null }[]>`
    select (select count(*) from public.bonus_calculation_items where run_id = r.id) as items,
           (select sum(conversion_count) from public.bonus_calculation_items i join public.bonus_rules b on b.id = i.rule_id
             where i.run_id = r.id and b.name = 'flat' and i.recipient_role = 'agent') as counted,
           r.total_amount = (select sum(amount) from public.bonus_calculation_items where run_id = r.id) as total_ok, r.inputs_hash as hash
      from public.bonus_calculation_runs r where r.id = ${runId}`;
  const problems: string[] = [];
  if (Number(check!.counted) !== sales) problems.push(`the flat rule counted ${check!.counted} of ${sales} sales`);
  if (!check!.total_ok) problems.push("the run total differs from the sum of its items");
  if (check!.hash === null) problems.push("no inputs hash");
  await checkLedger(ctx, "bonus-run", problems);
  ctx.log(`  bonus-run: ${check!.items} items; spread ${pair.spread[0].toFixed(3)}–${pair.spread[1].toFixed(3)}`);
  const ratio = pair.value / pair.ceiling;
  return {
    name: "bonus-run", value: pair.value, unit: "runs/s", ceiling: "read-only-aggregate", ceiling_value: pair.ceiling, ratio,
    target: ">=0.3", ok: ratio >= 0.3,
  };
}

// ---------------------------------------------------------------------------------------------------
// kpi-refresh-1m, kpi-refresh-10m
// ---------------------------------------------------------------------------------------------------

const KPI_TENANTS = 100;
const KPI_DAYS = 730;
const kpiTenant = (i: string) => `('00000000-0000-4000-8201-' || lpad((${i})::text, 12, '0'))::uuid`;
const kpiOutlet = (i: string) => `('00000000-0000-4000-8202-' || lpad((${i})::text, 12, '0'))::uuid`;
const kpiAgent = (i: string) => `('00000000-0000-4000-8203-' || lpad((${i})::text, 12, '0'))::uuid`;

function kpiSizes(): [number, number] {
  const raw = (process.env.TANGENT_BENCH_KPI_ROWS ?? "1000000,10000000").split(",").map((s) => Number(s.trim()));
  if (raw.length !== 2 || raw.some((n) => !Number.isInteger(n) || n < KPI_TENANTS) || raw[0]! >= raw[1]!) {
    throw new Error("TANGENT_BENCH_KPI_ROWS must be two increasing row counts, e.g. 1000000,10000000");
  }
  return [raw[0]!, raw[1]!];
}

let kpiStored = 0;

/** Grows the KPI history to `rows` leads (each with its captured history row) over two years of 100 tenants. */
async function growKpiWorld({ db, log }: BenchContext, rows: number): Promise<void> {
  if (kpiStored === 0) {
    await db.begin(async (tx) => {
      await tx.unsafe("set local session_replication_role = replica");
      await tx.unsafe(`insert into public.tenants (id, name, slug, time_zone, currency)
        select ${kpiTenant("i")}, 'KPI bench ' || i, 'kpi-bench-' || i,
               (array['Asia/Tashkent', 'America/New_York', 'Europe/Berlin', 'UTC'])[1 + i % 4], 'EUR'
          from generate_series(0, ${KPI_TENANTS - 1}) i`);
      await tx.unsafe(`insert into public.regions (id, tenant_id, name)
        select ${kpiTenant("i")}, ${kpiTenant("i")}, 'R' from generate_series(0, ${KPI_TENANTS - 1}) i`);
      await tx.unsafe(`insert into public.outlets (id, tenant_id, region_id, name)
        select ${kpiOutlet("i * 2 + j")}, ${kpiTenant("i")}, ${kpiTenant("i")}, 'O' || j
          from generate_series(0, ${KPI_TENANTS - 1}) i, generate_series(0, 1) j`);
      await tx.unsafe(`insert into auth.users (instance_id, id, aud, role, email, encrypted_password, confirmation_token, recovery_token,
          email_change_token_new, email_change, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
        select '00000000-0000-0000-0000-000000000000', ${kpiAgent("i")}, 'authenticated', 'authenticated', 'kpi-' || i || '@kpi.bench', '',
               '', '', '', '', '{"provider": "email", "providers": ["email"]}', '{}', now(), now()
          from generate_series(0, ${KPI_TENANTS * 2 - 1}) i`);
      await tx.unsafe(`insert into public.tenant_memberships (tenant_id, user_id, role, outlet_id)
        select ${kpiTenant("i / 2")}, ${kpiAgent("i")}, 'agent', ${kpiOutlet("i")} from generate_series(0, ${KPI_TENANTS * 2 - 1}) i`);
    });
  }
  const chunk = 500_000;
  for (let lo = kpiStored + 1; lo <= rows; lo += chunk) {
    const hi = Math.min(rows, lo + chunk - 1);
    await db.begin(async (tx) => {
      await tx.unsafe("set local session_replication_role = replica");
      // Lead g: tenant g % 100, agent/outlet (g / 100) % 2, spread over the 730 days before now.
      await tx.unsafe(`insert into public.leads (id, tenant_id, client_uuid, outlet_id, agent_id, customer_name, phone, captured_at, payload_hash)
        select ('00000000-0000-4000-8204-' || lpad(g::text, 12, '0'))::uuid, ${kpiTenant(`g % ${KPI_TENANTS}`)}, gen_random_uuid(),
               ${kpiOutlet(`(g % ${KPI_TENANTS}) * 2 + (g / ${KPI_TENANTS}) % 2`)}, ${kpiAgent(`(g % ${KPI_TENANTS}) * 2 + (g / ${KPI_TENANTS}) % 2`)},
               'KPI ' || g, '+4915' || lpad(g::text, 9, '0'), now() - interval '1 hour' - (g::bigint * 7919 % ${KPI_DAYS * 86400}) * interval '1 second',
               repeat('0', 64)
          from generate_series(${lo}, ${hi}) g`);
      await tx.unsafe(`insert into public.lead_status_history (lead_id, tenant_id, to_status, changed_at)
        select l.id, l.tenant_id, 'new', l.captured_at from public.leads l
         where l.id between ('00000000-0000-4000-8204-' || lpad('${lo}', 12, '0'))::uuid and ('00000000-0000-4000-8204-' || lpad('${hi}', 12, '0'))::uuid`);
    });
    log(`  kpi history: ${hi} leads`);
  }
  kpiStored = rows;
  await db.unsafe("vacuum analyze public.leads, public.lead_status_history");
}

function kpiRefresh(which: 0 | 1): (ctx: BenchContext) => Promise<BenchResult> {
  return async (ctx) => {
    const rows = kpiSizes()[which];
    await growKpiWorld(ctx, rows);
    // One day of one tenant, as a day's edits leave it, against every day of every bench tenant.
    const refreshOne = () => timed(() => ctx.db.begin(async (tx) => {
      await tx.unsafe(`insert into private.kpi_dirty_days (tenant_id, day) values (${kpiTenant("7")}, (now() at time zone 'Asia/Tashkent')::date - 10)`);
      const [done] = await tx<{ n: number }[]>`select private.refresh_kpis() as n`;
      if (done!.n < 1) throw new Error("the refresh recomputed nothing");
    }));
    const full = () => timed(() => ctx.db.unsafe(`
      select count(*), sum(leads_captured) from private.kpi_rows((
        select array_agg(row(t.id, d.day)::private.kpi_day)
          from public.tenants t
          cross join lateral generate_series((now() at time zone t.time_zone)::date - ${KPI_DAYS + 1}, (now() at time zone t.time_zone)::date, interval '1 day') d(day)
         where t.slug like 'kpi-bench-%'))`));
    await ctx.db`select private.refresh_kpis(2147483647)`;
    await refreshOne();
    const pair = await interleaved(`kpi-refresh-${which === 0 ? "1m" : "10m"}`, benchPairs(), "ms", ctx.log, refreshOne, full);
    // Both compute the same figures: the refreshed day equals the full recomputation of it.
    const [check] = await ctx.db<{ stored: string | null; direct: string }[]>`
      select (select sum(k.leads_captured)::text from public.kpi_outlet_daily k
               where k.tenant_id = t.id and k.day = (now() at time zone 'Asia/Tashkent')::date - 10) as stored,
             (select count(*)::text from public.leads l
               where l.tenant_id = t.id and (l.captured_at at time zone t.time_zone)::date = (now() at time zone 'Asia/Tashkent')::date - 10) as direct
        from public.tenants t where t.slug = 'kpi-bench-7'`;
    if ((check!.stored ?? "0") !== check!.direct) {
      throw new Error(`kpi-refresh: the refreshed day holds ${check!.stored} leads, the leads table ${check!.direct}`);
    }
    await checkLedger(ctx, "kpi-refresh");
    const ratio = pair.value / pair.ceiling;
    const label = rows >= 1_000_000 ? `${rows / 1_000_000}m` : `${rows}`;
    ctx.log(`  kpi-refresh at ${label} leads: spread ${pair.spread[0].toFixed(5)}–${pair.spread[1].toFixed(5)}`);
    return {
      name: `kpi-refresh-${which === 0 ? "1m" : "10m"}`, value: pair.value, unit: "ms", ceiling: "full-recompute", ceiling_value: pair.ceiling, ratio,
      target: which === 0 ? "<=0.1" : "<=0.01", ok: ratio <= (which === 0 ? 0.1 : 0.01),
    };
  };
}

export const kpiRefresh1m = kpiRefresh(0);
export const kpiRefresh10m = kpiRefresh(1);

// ---------------------------------------------------------------------------------------------------
// kpi-lead-inserts
// ---------------------------------------------------------------------------------------------------

/**
 * Single-lead insert statements (the worst case for statement-level triggers: one queue insert per
 * lead) by several connections as `postgres`, with the KPI queue triggers on ÷ off, interleaved.
 */
export async function kpiLeadInserts(ctx: BenchContext): Promise<BenchResult> {
  if (kpiStored === 0) await growKpiWorld(ctx, KPI_TENANTS);
  const workers = envInt("TANGENT_BENCH_CAPTURE_WORKERS", 4);
  const seconds = envInt("TANGENT_BENCH_SECONDS", 8);
  const sql = postgres(dbUrl(ctx.settings), { max: workers, onnotice: () => {} });
  const [before] = await ctx.db<{ leads: string }[]>`select count(*) as leads from public.leads`;
  let inserted = 0;
  const toggle = (on: boolean) => ctx.db.unsafe(`
    alter table public.leads ${on ? "enable" : "disable"} trigger leads_kpi_insert;
    alter table public.lead_status_history ${on ? "enable" : "disable"} trigger lead_status_history_kpi_insert`);
  const phase = async (on: boolean): Promise<number> => {
    await toggle(on);
    const deadline = performance.now() + seconds * 1000;
    const started = performance.now();
    let count = 0;
    await Promise.all(Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < deadline) {
        await sql`
          insert into public.leads (tenant_id, client_uuid, outlet_id, agent_id, customer_name, phone, captured_at, payload_hash)
          values (${`00000000-0000-4000-8201-${String(w).padStart(12, "0")}`}, ${randomUUID()},
                  ${`00000000-0000-4000-8202-${String(w * 2).padStart(12, "0")}`}, ${`00000000-0000-4000-8203-${String(w * 2).padStart(12, "0")}`},
                  'Insert bench', ${`+4917${String(Math.floor(Math.random() * 1e9)).padStart(9, "0")}`},
                  ${new Date(Date.now() - Math.floor(Math.random() * 3 * 86_400_000)).toISOString()}, ${"0".repeat(64)})`;
        count += 1;
      }
    }));
    inserted += count;
    return count / ((performance.now() - started) / 1000);
  };
  try {
    await phase(true);
    await phase(false);
    const pair = await interleaved("kpi-lead-inserts", benchPairs(), "leads/s", ctx.log, () => phase(true), () => phase(false));
    await toggle(true);
    const [after] = await ctx.db<{ leads: string; without_history: string }[]>`
      select (select count(*) from public.leads) as leads,
             (select count(*) from public.leads l where l.customer_name = 'Insert bench'
                 and not exists (select 1 from public.lead_status_history h where h.lead_id = l.id and h.from_status is null)) as without_history`;
    const problems: string[] = [];
    if (Number(after!.leads) !== Number(before!.leads) + inserted) problems.push(`${after!.leads} leads, expected ${Number(before!.leads) + inserted}`);
    if (Number(after!.without_history) !== 0) problems.push(`${after!.without_history} leads without their captured history row`);
    await checkLedger(ctx, "kpi-lead-inserts", problems);
    const ratio = pair.value / pair.ceiling;
    ctx.log(`  kpi-lead-inserts: spread ${pair.spread[0].toFixed(3)}–${pair.spread[1].toFixed(3)}`);
    return {
      name: "kpi-lead-inserts", value: pair.value, unit: "leads/s", ceiling: "kpi-triggers-off", ceiling_value: pair.ceiling, ratio,
      target: ">=0.9", ok: ratio >= 0.9,
    };
  } finally {
    await toggle(true);
    await sql.end();
  }
}
