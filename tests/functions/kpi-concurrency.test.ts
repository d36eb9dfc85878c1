// The KPI queue under concurrency, on the real database: a lead changed by a transaction that is still
// open while private.refresh_kpis runs must be recomputed by the next refresh (not left stale until the
// nightly reconciliation), concurrent captures of one tenant day must not wait on each other, and two
// refreshes must not recompute at once. pgTAP cannot do this: one file is one session.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type postgres from "postgres";
import { closeDbs, openDb } from "../helpers/stack.ts";

const tenant = crypto.randomUUID();
const region = crypto.randomUUID();
const outlet = crypto.randomUUID();
const day = "2026-06-10";

let db: postgres.Sql;

/** Inserts one lead captured at noon (UTC, the tenant's zone) of `day` through `sql`. */
function insertLead(sql: postgres.Sql | postgres.TransactionSql) {
  return sql`
    insert into public.leads (tenant_id, client_uuid, outlet_id, customer_name, phone, captured_at, payload_hash)
    values (${tenant}, ${crypto.randomUUID()}, ${outlet}, 'KPI race', ${`+4916${String(Math.floor(Math.random() * 1e9)).padStart(9, "0")}`},
            ${`${day}T12:00:00Z`}, ${"0".repeat(64)})`;
}

interface DayState { stored: number | null; direct: number; queued: number }

/** The outlet figures of the day, a direct count of its leads, and the marks still queued for it. */
async function dayState(): Promise<DayState> {
  const [row] = await db<DayState[]>`
    select (select leads_captured from public.kpi_outlet_daily where tenant_id = ${tenant} and day = ${day}::date and outlet_id = ${outlet}) as stored,
           (select count(*)::int from public.leads where tenant_id = ${tenant}) as direct,
           (select count(*)::int from private.kpi_dirty_days where tenant_id = ${tenant} and day = ${day}::date) as queued`;
  return row!;
}

/** Whether the KPI figures of the day equal the same definitions computed afresh from the source tables. */
async function matchesRecomputation(): Promise<boolean> {
  const [row] = await db<{ equal: boolean }[]>`
    select (select coalesce(jsonb_agg(to_jsonb(k) - 'refreshed_at' - 'conversion_rate' - 'avg_hours_to_convert' order by k.outlet_id), '[]')
              from public.kpi_outlet_daily k where k.tenant_id = ${tenant} and k.day = ${day}::date)
         = (select coalesce(jsonb_agg(jsonb_build_object(
                  'tenant_id', r.tenant_id, 'day', r.day, 'outlet_id', r.outlet_id, 'leads_captured', r.leads_captured,
                  'leads_contacted', r.leads_contacted, 'leads_qualified', r.leads_qualified, 'leads_converted', r.leads_converted,
                  'leads_lost', r.leads_lost, 'conversions', r.conversions, 'revenue', r.revenue::numeric(14, 2),
                  'seconds_to_convert', r.seconds_to_convert, 'interactions', r.interactions, 'bonus_earned', r.bonus_earned::numeric(14, 2))
                  order by r.outlet_id), '[]')
              from (select x.tenant_id, x.day, x.outlet_id, sum(x.leads_captured)::int as leads_captured, sum(x.leads_contacted)::int as leads_contacted,
                           sum(x.leads_qualified)::int as leads_qualified, sum(x.leads_converted)::int as leads_converted, sum(x.leads_lost)::int as leads_lost,
                           sum(x.conversions)::int as conversions, sum(x.revenue) as revenue, sum(x.seconds_to_convert) as seconds_to_convert,
                           sum(x.interactions)::int as interactions, sum(x.bonus_earned) as bonus_earned
                      from private.kpi_rows(array[row(${tenant}::uuid, ${day}::date)::private.kpi_day]) x
                     group by x.tenant_id, x.day, x.outlet_id) r) as equal`;
  return row!.equal;
}

/** Ends whatever transaction a reserved connection still has open (a failed step) and gives it back. */
async function release(...connections: postgres.ReservedSql[]): Promise<void> {
  for (const connection of connections) {
    await connection`rollback`;
    connection.release();
  }
}

const refresh = async (sql: postgres.Sql | postgres.TransactionSql = db) => (await sql<{ n: number }[]>`select private.refresh_kpis() as n`)[0]!.n;

beforeAll(async () => {
  db = openDb("supabase_admin");
  await db`insert into public.tenants (id, name, slug, time_zone, currency) values (${tenant}, 'KPI race', ${`kpi-race-${tenant.slice(0, 8)}`}, 'UTC', 'EUR')`;
  await db`insert into public.regions (id, tenant_id, name) values (${region}, ${tenant}, 'R')`;
  await db`insert into public.outlets (id, tenant_id, region_id, name) values (${outlet}, ${tenant}, ${region}, 'O')`;
  await insertLead(db);
  await refresh();
});

afterAll(async () => {
  await db`delete from public.tenants where id = ${tenant}`;
  await db`delete from private.kpi_dirty_days where tenant_id = ${tenant}`;
  await closeDbs();
});

describe("KPI freshness under concurrency", () => {
  it("a lead changed by a transaction still open during a refresh is recomputed by the next refresh", async () => {
    // The day is already queued (committed), so the open transaction's own mark is the only trace of its lead.
    await insertLead(db);
    const writer = await db.reserve();
    try {
      await writer`begin`;
      await insertLead(writer);
      // The refresh runs and commits while the insert is uncommitted: it cannot see that lead.
      expect(await refresh()).toBeGreaterThanOrEqual(1);
      await writer`commit`;
    } finally {
      await release(writer);
    }
    // Committed now, but the figures were computed without it: only a surviving mark can repair the day.
    const between = await dayState();
    expect(between).toEqual({ stored: 2, direct: 3, queued: 1 });
    await refresh();
    expect(await dayState()).toEqual({ stored: 3, direct: 3, queued: 0 });
    expect(await matchesRecomputation()).toBe(true);
  });

  it("two transactions capturing leads on the same tenant day do not wait for each other", async () => {
    await refresh();
    expect((await dayState()).queued).toBe(0);
    const first = await db.reserve();
    const second = await db.reserve();
    try {
      await first`begin`;
      await insertLead(first);
      await second`begin`;
      await second`set local lock_timeout = '2s'`;
      await insertLead(second);
      await second`commit`;
      await first`commit`;
    } finally {
      await release(first, second);
    }
    await refresh();
    const after = await dayState();
    expect(after.stored).toBe(after.direct);
    expect(await matchesRecomputation()).toBe(true);
  });

  it("a second refresh waits for the first to commit instead of recomputing the same days alongside it", async () => {
    await insertLead(db);
    const first = await db.reserve();
    const second = await db.reserve();
    try {
      const [row] = await second<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const pid = row!.pid;
      await first`begin`;
      expect(await refresh(first)).toBeGreaterThanOrEqual(1);
      const waiting = refresh(second);
      // The second refresh is blocked behind the first one's lock until it commits.
      await expect.poll(async () => (await db<{ event: string | null }[]>`
        select wait_event as event from pg_stat_activity where pid = ${pid}`)[0]!.event, { timeout: 5000 }).toBe("advisory");
      await first`commit`;
      // Whatever it finds then (other tenants' marks), the day the first refresh claimed is no longer queued.
      await waiting;
    } finally {
      await release(first, second);
    }
    expect(await dayState()).toMatchObject({ queued: 0 });
    expect(await matchesRecomputation()).toBe(true);
  });
});
