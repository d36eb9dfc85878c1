// Leads, conversions and the ledger under concurrency and retries, on the real database: several
// connections run the same requests at once, each exactly as PostgREST runs a request (role, claims
// with a live session), and nothing may be created twice, lost, over-reversed or left unbalanced.
// pgTAP cannot do this: one file is one session.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type postgres from "postgres";
import { closeDbs, mintToken, openDb } from "../helpers/stack.ts";

const samarqand = "00000000-0000-4000-b000-000000000001";
const chilonzor = "00000000-0000-4000-d000-000000000001";

let db: postgres.Sql;
let agentClaims: Record<string, unknown>;
let ownerClaims: Record<string, unknown>;

interface CaptureResult {
  client_uuid: string;
  result: "created" | "replayed" | "conflict" | "rejected";
  lead_id: string | null;
  duplicate_of: string | null;
}

/** One Data API request: its own transaction, as the caller. Errors come back as their DETAIL code. */
async function request<T>(claims: Record<string, unknown>, work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T | { error: string }> {
  try {
    return await db.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
      return work(tx);
    }) as T;
  } catch (error) {
    const { detail, code } = error as { detail?: string; code?: string };
    return { error: detail ?? code ?? String(error) };
  }
}

function capture(claims: Record<string, unknown>, leads: object[]) {
  return request(claims, (tx) => tx<CaptureResult[]>`select * from public.capture_leads(${samarqand}::uuid, ${tx.json(leads as postgres.JSONValue)})`);
}

function lead(overrides: Record<string, unknown> = {}) {
  const digits = String(Math.floor(Math.random() * 1e7)).padStart(7, "0");
  return { client_uuid: crypto.randomUUID(), customer_name: "Concurrent", phone: `99897${digits}`, captured_at: new Date(Date.now() - 3600_000).toISOString(), ...overrides };
}

async function newLead(): Promise<string> {
  const answer = await capture(agentClaims, [lead()]);
  if ("error" in answer) throw new Error(answer.error);
  return answer[0]!.lead_id!;
}

function sale(claims: Record<string, unknown>, leadId: string, amount: number, key: string) {
  return request(claims, (tx) => tx<{ id: string }[]>`
    select id from public.record_conversion(lead_id => ${leadId}::uuid, amount => ${amount}, request_key => ${key})`);
}

function reversal(saleId: string, amount: number, key: string) {
  return request(ownerClaims, (tx) => tx<{ id: string }[]>`
    select id from public.reverse_conversion(conversion_id => ${saleId}::uuid, request_key => ${key}, amount => ${amount})`);
}

const errors = (answers: unknown[]) => answers.flatMap((a) => (a !== null && typeof a === "object" && "error" in a ? [(a as { error: string }).error] : []));

beforeAll(async () => {
  db = openDb();
  agentClaims = (await mintToken("agent.a@tangent.test")).claims as unknown as Record<string, unknown>;
  ownerClaims = (await mintToken("owner.a@tangent.test")).claims as unknown as Record<string, unknown>;
});

afterAll(closeDbs);

describe("lead capture under concurrency", () => {
  it("six devices syncing the same 50 leads at once create each exactly once; the rest are replays", async () => {
    const batch = Array.from({ length: 50 }, () => lead({ outlet_id: chilonzor }));
    const answers = await Promise.all(Array.from({ length: 6 }, () => capture(agentClaims, batch)));
    expect(errors(answers)).toEqual([]);
    const rows = (answers as CaptureResult[][]).flat();
    for (const { client_uuid } of batch) {
      const mine = rows.filter((r) => r.client_uuid === client_uuid);
      expect(mine.filter((r) => r.result === "created")).toHaveLength(1);
      expect(mine.filter((r) => r.result === "replayed")).toHaveLength(5);
      expect(new Set(mine.map((r) => r.lead_id)).size).toBe(1);
    }
    const uuids = batch.map((l) => l.client_uuid);
    const [stored] = await db<{ leads: number; captured: number; conflicts: number }[]>`
      select (select count(*)::int from public.leads where client_uuid = any (${uuids}::uuid[])) as leads,
             (select count(*)::int from public.lead_status_history h join public.leads l on l.id = h.lead_id
               where l.client_uuid = any (${uuids}::uuid[]) and h.reason = 'captured') as captured,
             (select count(*)::int from public.lead_capture_conflicts where client_uuid = any (${uuids}::uuid[])) as conflicts`;
    expect(stored).toEqual({ leads: 50, captured: 50, conflicts: 0 });
  });

  it("two devices racing with different fields under one client_uuid: one lead, one recorded conflict, nothing merged", async () => {
    const clientUuid = crypto.randomUUID();
    const [a, b] = await Promise.all([
      capture(agentClaims, [lead({ client_uuid: clientUuid, customer_name: "Device A" })]),
      capture(agentClaims, [lead({ client_uuid: clientUuid, customer_name: "Device B" })]),
    ]);
    const results = [...(a as CaptureResult[]), ...(b as CaptureResult[])].map((r) => r.result).sort();
    expect(results).toEqual(["conflict", "created"]);
    const [stored] = await db<{ name: string; conflicts: number; submitted: string }[]>`
      select l.customer_name as name, count(c.id)::int as conflicts, min(c.payload ->> 'customer_name') as submitted
        from public.leads l left join public.lead_capture_conflicts c on c.lead_id = l.id
       where l.client_uuid = ${clientUuid} group by l.customer_name`;
    expect(stored!.conflicts).toBe(1);
    expect([stored!.name, stored!.submitted].sort()).toEqual(["Device A", "Device B"]);
  });

  it("the same customer captured on two devices at once is flagged as a duplicate, not missed", async () => {
    const phone = lead().phone;
    const first = lead({ phone });
    const second = lead({ phone, captured_at: new Date(Date.parse(first.captured_at) + 60_000).toISOString() });
    const answers = await Promise.all([capture(agentClaims, [second]), capture(agentClaims, [first])]);
    expect(errors(answers)).toEqual([]);
    // Whichever commits second flags the pair; the later capture points at the earlier one.
    const stored = await db<{ client_uuid: string; id: string; duplicate_of: string | null }[]>`
      select client_uuid, id, duplicate_of from public.leads where client_uuid in (${first.client_uuid}, ${second.client_uuid})`;
    const byUuid = Object.fromEntries(stored.map((r) => [r.client_uuid, r]));
    expect(byUuid[first.client_uuid]!.duplicate_of).toBeNull();
    expect(byUuid[second.client_uuid]!.duplicate_of).toBe(byUuid[first.client_uuid]!.id);
  });
});

describe("conversions under concurrency", () => {
  it("six concurrent sales on one lead (limit 1): exactly one is recorded, the others get conversion.lead_already_converted", async () => {
    const leadId = await newLead();
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => sale(agentClaims, leadId, 1000, `race-${leadId}-${i}`)));
    expect(errors(answers).sort()).toEqual(Array(5).fill("conversion.lead_already_converted"));
    const [row] = await db<{ sales: number; status: string }[]>`
      select (select count(*)::int from public.conversions where lead_id = ${leadId}) as sales,
             (select status::text from public.leads where id = ${leadId}) as status`;
    expect(row).toEqual({ sales: 1, status: "converted" });
  });

  it("a sale retried six times at once with one request_key is recorded once and every retry gets it", async () => {
    const leadId = await newLead();
    const key = `retry-${leadId}`;
    const answers = await Promise.all(Array.from({ length: 6 }, () => sale(agentClaims, leadId, 2500, key)));
    expect(errors(answers)).toEqual([]);
    expect(new Set((answers as { id: string }[][]).map((a) => a[0]!.id)).size).toBe(1);
    const [row] = await db<{ sales: number; postings: number }[]>`
      select count(*)::int as sales, count(distinct ledger_transaction_id)::int as postings from public.conversions where lead_id = ${leadId}`;
    expect(row).toEqual({ sales: 1, postings: 1 });
  });

  it("six concurrent refunds of 300 on a sale of 1000: three go through, three are refused, the net is 100 and the ledger balances", async () => {
    const leadId = await newLead();
    const recorded = await sale(ownerClaims, leadId, 1000, `refund-sale-${leadId}`);
    const saleId = (recorded as { id: string }[])[0]!.id;
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => reversal(saleId, 300, `refund-${saleId}-${i}`)));
    expect(errors(answers).sort()).toEqual(Array(3).fill("conversion.reversal_exceeds_sale"));
    const [row] = await db<{ net: string; receivable: string; unbalanced: number; status: string }[]>`
      select (select sum(amount)::text from public.conversions where lead_id = ${leadId}) as net,
             (select sum(e.amount)::text from public.conversions c
                join public.ledger_entries e on e.transaction_id = c.ledger_transaction_id
                join public.ledger_accounts a on a.id = e.account_id and a.code = 'sales_receivable'
               where c.lead_id = ${leadId}) as receivable,
             (select count(*)::int from public.ledger_unbalanced_transactions()) as unbalanced,
             (select status::text from public.leads where id = ${leadId}) as status`;
    expect(row).toEqual({ net: "100.00", receivable: "100.00", unbalanced: 0, status: "converted" });
  });
});
