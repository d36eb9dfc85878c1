// The points ledger under concurrency, on the real database: many connections spend from one wallet at
// once, each request exactly as PostgREST runs it (role, claims with a live session). Nothing may go
// negative, no update may be lost, no request may deadlock, each key charges once, and afterwards the
// cached balances equal the sum of their entries. pgTAP cannot do this: one file is one session.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import postgres from "postgres";
import { closeDbs, createUser, mintToken, openDb, urls, type TestUser } from "../helpers/stack.ts";

interface Outcome {
  result: string;
  replayed: boolean;
  id: string | null;
  transfer_id: string | null;
  balance: string | null;
}

let pool: postgres.Sql;
let admin: postgres.Sql;
let client: TestUser;
let clientClaims: Record<string, unknown>;
let creator: TestUser;
let toolId: string;

/** One Data API request: its own transaction, as the caller. Errors come back as their DETAIL or SQLSTATE. */
async function request(claims: Record<string, unknown>, work: (tx: postgres.TransactionSql) => Promise<Outcome[]>): Promise<Outcome | { error: string }> {
  try {
    const rows = await pool.begin(async (tx) => {
      await tx`select set_config('role', ${String(claims.role)}, true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
      return work(tx);
    }) as Outcome[];
    return rows[0]!;
  } catch (error) {
    const { detail, code } = error as { detail?: string; code?: string };
    return { error: detail ?? code ?? String(error) };
  }
}

const service = { role: "service_role" };
const useTool = (key: string) => request(clientClaims, (tx) => tx<Outcome[]>`select * from public.use_tool(${toolId}::uuid, ${key})`);
const hold = (key: string) => request(clientClaims, (tx) => tx<Outcome[]>`select * from public.hold_points(${toolId}::uuid, ${key})`);
const endHold = (id: string, settle: boolean) => request(service, (tx) =>
  settle ? tx<Outcome[]>`select * from public.settle_hold(${id}::uuid)` : tx<Outcome[]>`select * from public.release_hold(${id}::uuid)`);
const grant = (points: number, kind: "paid" | "granted", key: string) => request(service, (tx) =>
  tx<Outcome[]>`select * from public.admin_adjust_points(${client.id}::uuid, ${points}, ${kind}, 'concurrency top-up', ${`${key}:${client.id}`})`);

const errors = (answers: (Outcome | { error: string })[]) => answers.flatMap((a) => ("error" in a ? [a.error] : []));
const outcomes = (answers: (Outcome | { error: string })[]) => answers.filter((a): a is Outcome => !("error" in a));

interface Wallet { paid: number; granted: number; held: number; paid_entries: number; granted_entries: number }

async function wallet(): Promise<Wallet> {
  const [row] = await admin<Wallet[]>`
    select coalesce(max(a.balance) filter (where a.kind = 'client_paid'), 0)::int as paid,
           coalesce(max(a.balance) filter (where a.kind = 'client_granted'), 0)::int as granted,
           coalesce(sum(a.held), 0)::int as held,
           coalesce((select sum(e.amount) from public.points_entries e join public.points_accounts x on x.id = e.account_id
                      where x.owner_id = ${client.id} and x.kind = 'client_paid'), 0)::int as paid_entries,
           coalesce((select sum(e.amount) from public.points_entries e join public.points_accounts x on x.id = e.account_id
                      where x.owner_id = ${client.id} and x.kind = 'client_granted'), 0)::int as granted_entries
      from public.points_accounts a where a.owner_id = ${client.id}`;
  return row!;
}

async function spent(): Promise<number> {
  const [row] = await admin<{ spent: number }[]>`select coalesce(sum(price_points), 0)::int as spent from public.tool_usages where client_id = ${client.id}`;
  return row!.spent;
}

async function ledgerProblems(): Promise<{ drifted: unknown[]; unbalanced: unknown[] }> {
  const [row] = await admin<{ drifted: unknown[]; unbalanced: unknown[] }[]>`select drifted, unbalanced from private.points_ledger_problems()`;
  return row!;
}

beforeAll(async () => {
  pool = postgres(urls.db, { max: 12, onnotice: () => {}, prepare: false });
  admin = openDb("supabase_admin");
  client = await createUser();
  creator = await createUser({ role: "tool_creator" });
  clientClaims = (await mintToken(client.email)).claims as unknown as Record<string, unknown>;
  const [tool] = await admin<{ id: string }[]>`
    insert into public.tools (creator_id, name, price_points, status) values (${creator.id}, 'Concurrent tool', 7, 'approved') returning id`;
  toolId = tool!.id;
});

afterAll(async () => {
  await pool.end();
  await closeDbs();
});

describe("points under concurrency", () => {
  it("80 parallel spends against a wallet that affords 50: exactly 50 succeed, none goes negative, nothing deadlocks", async () => {
    expect([await grant(100, "granted", "conc-g1"), await grant(250, "paid", "conc-p1")]).toMatchObject([{ result: "ok" }, { result: "ok" }]);
    const answers = await Promise.all(Array.from({ length: 80 }, (_, i) => useTool(`spend-${i}`)));
    expect(errors(answers)).toEqual([]);
    const results = outcomes(answers).map((a) => a.result);
    expect(results.filter((r) => r === "ok")).toHaveLength(50);
    expect(results.filter((r) => r === "insufficient_balance")).toHaveLength(30);
    expect(await wallet()).toEqual({ paid: 0, granted: 0, held: 0, paid_entries: 0, granted_entries: 0 });
    const [usage] = await admin<{ uses: number; paid: number; granted: number; earned: number }[]>`
      select count(*)::int as uses, sum(paid_points)::int as paid, sum(granted_points)::int as granted,
             (select sum(e.amount)::int from public.points_entries e join public.points_accounts a on a.id = e.account_id
               where a.owner_id = ${creator.id} and a.kind = 'creator_earnings') as earned
        from public.tool_usages where client_id = ${client.id}`;
    expect(usage).toEqual({ uses: 50, paid: 250, granted: 100, earned: 50 * 5 });
    expect(await ledgerProblems()).toEqual({ drifted: [], unbalanced: [] });
  });

  it("the same key sent ten times at once charges once; every answer names the same usage", async () => {
    expect(await grant(70, "paid", "conc-p2")).toMatchObject({ result: "ok" });
    const answers = await Promise.all(Array.from({ length: 10 }, () => useTool("same-key")));
    expect(errors(answers)).toEqual([]);
    const ok = outcomes(answers);
    expect(new Set(ok.map((a) => a.id)).size).toBe(1);
    expect(ok.filter((a) => !a.replayed)).toHaveLength(1);
    const [row] = await admin<{ uses: number }[]>`
      select count(*)::int as uses from public.tool_usages u join public.points_transfers t on t.id = u.transfer_id
       where u.client_id = ${client.id} and u.id = ${ok[0]!.id}`;
    expect(row!.uses).toBe(1);
    expect((await wallet()).paid).toBe(63);
  });

  it("spends, top-ups, holds, settlements and releases all at once: no lost update, balances equal their entries", async () => {
    const before = await wallet();
    const spentBefore = await spent();
    const holds = outcomes(await Promise.all(Array.from({ length: 6 }, (_, i) => hold(`mixed-hold-${i}`)))).filter((h) => h.result === "ok");
    expect(holds.length).toBeGreaterThan(0);
    const answers = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => useTool(`mixed-spend-${i}`)),
      ...Array.from({ length: 10 }, (_, i) => grant(7, i % 2 === 0 ? "paid" : "granted", `mixed-grant-${i}`)),
      ...holds.map((h, i) => endHold(h.id!, i % 2 === 0)),
    ]);
    expect(errors(answers)).toEqual([]);
    const after = await wallet();
    expect(after.held).toBe(0);
    expect(after.paid).toBe(after.paid_entries);
    expect(after.granted).toBe(after.granted_entries);
    expect(after.paid).toBeGreaterThanOrEqual(0);
    expect(after.granted).toBeGreaterThanOrEqual(0);
    // Conservation: what was there plus the top-ups minus what the new usages took is exactly what is left.
    expect(before.paid + before.granted + 70 - ((await spent()) - spentBefore)).toBe(after.paid + after.granted);
    expect(await ledgerProblems()).toEqual({ drifted: [], unbalanced: [] });
  });
  it("a creator asking for ten payouts at once gets one; ten approvals at once move the points once", async () => {
    const seller = await createUser({ role: "tool_creator" });
    const sellerClaims = (await mintToken(seller.email)).claims as unknown as Record<string, unknown>;
    const [expensive] = await admin<{ id: string }[]>`
      insert into public.tools (creator_id, name, price_points, creator_share_bps, status)
      values (${seller.id}, 'Payout tool', 1200, 10000, 'approved') returning id`;
    expect(await grant(2400, "paid", "conc-payout-topup")).toMatchObject({ result: "ok" });
    for (const key of ["payout-use-1", "payout-use-2"]) {
      const used = await request(clientClaims, (tx) => tx<Outcome[]>`select * from public.use_tool(${expensive!.id}::uuid, ${key})`);
      expect(used).toMatchObject({ result: "ok" });
    }
    const asks = await Promise.all(Array.from({ length: 10 }, (_, i) => request(sellerClaims, (tx) =>
      tx<Outcome[]>`select * from public.request_payout(1000, ${`payout-${i}`})`)));
    expect(errors(asks)).toEqual([]);
    const results = outcomes(asks).map((a) => a.result).sort();
    expect(results).toEqual(["ok", ...Array.from({ length: 9 }, () => "payout_in_progress")]);
    const payoutId = outcomes(asks).find((a) => a.result === "ok")!.id!;
    const approvals = await Promise.all(Array.from({ length: 10 }, () => request(service, (tx) =>
      tx<Outcome[]>`select * from public.decide_payout(${payoutId}::uuid, 'approved')`)));
    expect(errors(approvals)).toEqual([]);
    expect(outcomes(approvals).filter((a) => a.result === "ok" && !a.replayed)).toHaveLength(1);
    const [earnings] = await admin<{ balance: number; payouts: number }[]>`
      select balance::int, (select count(*)::int from public.points_transfers where creator_id = ${seller.id} and code = 'payout') as payouts
        from public.creator_revenue where creator_id = ${seller.id}`;
    expect(earnings).toEqual({ balance: 1400, payouts: 1 });
    expect(await ledgerProblems()).toEqual({ drifted: [], unbalanced: [] });
  });
});
