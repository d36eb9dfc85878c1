// The export-bonus-payouts function against the real database: a tenant of its own (fresh users, one
// outlet, sales, a published rule set and approved runs made directly in SQL), then the handler as
// its owner, manager, agent and another tenant's owner: the CSV, its headers and checksum, the ledger
// payout, exporting twice, and every refusal in the error envelope.
import { createHash, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJwtVerifier } from "../../functions/_shared/auth.ts";
import { connect } from "../../functions/_shared/db.ts";
import { createExportBonusPayoutsHandler, type PayoutExport } from "../../functions/export-bonus-payouts/handler.ts";
import { publicJwks } from "../../scripts/lib/keys.ts";
import { closeDbs, createUser, mintToken, openDb, stackKeys, urls, type TestUser } from "../helpers/stack.ts";

const sql = connect(urls.db);
const admin = openDb("supabase_admin");
const handler = createExportBonusPayoutsHandler({ verifyCaller: createJwtVerifier({ jwks: JSON.stringify(publicJwks(stackKeys())) }), sql });

const tenant = randomUUID();
const outlet = randomUUID();
const ruleSet = randomUUID();
const users: Record<"manager" | "agentA" | "agentB" | "outletManager" | "otherOwner", TestUser> = {} as never;
const tokens: Record<string, string> = {};
let approvedRun = "";
let calculatedRun = "";

afterAll(async () => {
  await sql.end();
  await closeDbs();
});

beforeAll(async () => {
  for (const name of ["manager", "agentA", "agentB", "outletManager", "otherOwner"] as const) {
    users[name] = await createUser({}, `export-${name.toLowerCase()}-${randomUUID().slice(0, 8)}@test.tangent`);
    tokens[name] = (await mintToken(users[name].email)).accessToken;
  }
  const region = randomUUID();
  const otherTenant = randomUUID();
  await admin.begin(async (tx) => {
    await tx`insert into public.tenants (id, name, slug, time_zone, currency) values
               (${tenant}, 'Export test', ${`export-${tenant.slice(0, 8)}`}, 'Asia/Tashkent', 'UZS'),
               (${otherTenant}, 'Export other', ${`export-${otherTenant.slice(0, 8)}`}, 'UTC', 'EUR')`;
    await tx`insert into public.regions (id, tenant_id, name) values (${region}, ${tenant}, 'R')`;
    await tx`insert into public.outlets (id, tenant_id, region_id, name) values (${outlet}, ${tenant}, ${region}, 'O')`;
    await tx`insert into public.tenant_memberships (tenant_id, user_id, role, outlet_id) values
               (${tenant}, ${users.manager.id}, 'manager', null),
               (${tenant}, ${users.agentA.id}, 'agent', ${outlet}),
               (${tenant}, ${users.agentB.id}, 'agent', ${outlet}),
               (${tenant}, ${users.outletManager.id}, 'outlet_manager', ${outlet}),
               (${otherTenant}, ${users.otherOwner.id}, 'owner', null)`;
    await tx`update public.profiles set full_name = 'Agent, "A"' where id = ${users.agentA.id}`;
    // Two sales for agent A, one for agent B, all yesterday (Tashkent).
    const sales: [TestUser, number][] = [[users.agentA, 100000], [users.agentA, 50000], [users.agentB, 70000]];
    for (const [index, [agent, amount]] of sales.entries()) {
      await tx`
        select private.record_conversion(
          p_lead_id => (select c.lead_id from private.capture_leads(${tenant}::uuid, jsonb_build_array(jsonb_build_object(
            'client_uuid', gen_random_uuid(), 'customer_name', 'Customer', 'phone', ${`+99890700${String(index).padStart(4, "0")}`}::text,
            'outlet_id', ${outlet}::uuid, 'agent_id', ${agent.id}::uuid, 'captured_at', now() - interval '2 days'))) c),
          p_amount => ${amount}::numeric, p_request_key => ${`export-${index}`}::text, p_sold_at => now() - interval '1 day')`;
    }
    await tx`insert into public.bonus_rule_sets (id, tenant_id, name, status, effective_from) values (${ruleSet}, ${tenant}, 'Export', 'published', '2020-01-01')`;
    await tx`insert into public.bonus_rules (rule_set_id, tenant_id, name, kind, flat_amount, manager_share)
               values (${ruleSet}, ${tenant}, 'Per sale', 'flat_per_conversion', 1000, 0.1)`;
    const [approved] = await tx<{ id: string }[]>`
      select (private.approve_bonus_run((private.calculate_bonus_run((private.create_bonus_run(
        ${tenant}, ${ruleSet}, (now() at time zone 'Asia/Tashkent')::date - 3, (now() at time zone 'Asia/Tashkent')::date, 'approved')).id, now())).id)).id`;
    const [calculated] = await tx<{ id: string }[]>`
      select (private.calculate_bonus_run((private.create_bonus_run(
        ${tenant}, ${ruleSet}, (now() at time zone 'Asia/Tashkent')::date + 1, (now() at time zone 'Asia/Tashkent')::date + 2, 'calculated')).id, now())).id`;
    approvedRun = approved!.id;
    calculatedRun = calculated!.id;
  });
});

function exportAs(as: string | null, body: unknown, headers: Record<string, string> = {}, method = "POST"): Promise<Response> {
  return handler(new Request("http://127.0.0.1/functions/v1/export-bonus-payouts", {
    method,
    headers: { "content-type": "application/json", ...(as === null ? {} : { authorization: `Bearer ${tokens[as]}` }), ...headers },
    body: method === "GET" ? undefined : JSON.stringify(body),
  }));
}

async function expectError(res: Response, status: number, code: string): Promise<void> {
  const body = (await res.json()) as { error: { code: string } };
  expect({ status: res.status, code: body.error.code }).toEqual({ status, code });
}

const payouts = async () => {
  const [row] = await admin<{ count: number }[]>`
    select count(*)::int as count from public.ledger_transactions where tenant_id = ${tenant} and kind = 'bonus_payout'`;
  return row!.count;
};

describe("export-bonus-payouts", () => {
  it("refuses missing tokens, other methods and malformed bodies in the error envelope", async () => {
    await expectError(await exportAs(null, { run_id: approvedRun }), 401, "auth.missing_token");
    await expectError(await exportAs("manager", null, {}, "GET"), 405, "request.method_not_allowed");
    await expectError(await exportAs("manager", { run_id: "not-a-uuid" }), 400, "request.invalid_body");
    await expectError(await exportAs("manager", { run_id: approvedRun, extra: 1 }), 400, "request.invalid_body");
    await expectError(await exportAs("manager", { run_id: approvedRun }, { "content-type": "text/plain" }), 415, "request.unsupported_media_type");
  });

  it("answers 404 to agents, outlet managers and other tenants, and exports nothing for them", async () => {
    for (const who of ["agentA", "outletManager", "otherOwner"]) {
      await expectError(await exportAs(who, { run_id: approvedRun }), 404, "bonus_run.not_found");
    }
    await expectError(await exportAs("manager", { run_id: randomUUID() }), 404, "bonus_run.not_found");
    expect(await payouts()).toBe(0);
  });

  it("refuses a run that is calculated but not approved (409)", async () => {
    await expectError(await exportAs("manager", { run_id: calculatedRun }), 409, "bonus_run.not_approved");
  });

  it("returns the CSV with one row per recipient, a TOTAL row, the row count and the SHA-256 of the file", async () => {
    const res = await exportAs("manager", { run_id: approvedRun });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="bonus-payout-\d{8}-\d{8}\.csv"$/);
    expect(res.headers.get("access-control-expose-headers")).toContain("x-checksum-sha256");
    const text = await res.text();
    expect(res.headers.get("x-checksum-sha256")).toBe(createHash("sha256").update(text, "utf8").digest("hex"));
    const lines = text.split("\r\n");
    expect(lines.at(-1)).toBe("");
    expect(lines[0]).toBe("recipient_id,recipient_name,roles,items,amount,currency");
    const rows = lines.slice(1, -2).sort();
    expect(rows).toEqual([
      `${users.agentA.id},"Agent, ""A""",agent,1,2000.00,UZS`,
      `${users.agentB.id},,agent,1,1000.00,UZS`,
      `${users.outletManager.id},,outlet_manager,1,300.00,UZS`,
    ].sort());
    expect(lines.at(-2)).toBe("TOTAL,,,3,3300.00,UZS");
    expect(res.headers.get("x-row-count")).toBe("3");
    expect(res.headers.get("x-total-amount")).toBe("3300.00");
    expect(res.headers.get("x-currency")).toBe("UZS");

    const [run] = await admin<{ status: string }[]>`select status from public.bonus_calculation_runs where id = ${approvedRun}`;
    expect(run!.status).toBe("exported");
    const entries = await admin<{ code: string; amount: string }[]>`
      select a.code, e.amount::text as amount from public.ledger_entries e
        join public.ledger_transactions t on t.id = e.transaction_id
        join public.ledger_accounts a on a.id = e.account_id
       where t.tenant_id = ${tenant} and t.kind = 'bonus_payout' order by a.code`;
    expect(entries).toEqual([{ code: "bonus_payable", amount: "3300.00" }, { code: "cash", amount: "-3300.00" }]);
  });

  it("exporting again returns the same export (as CSV or JSON) and posts nothing more", async () => {
    const first = await exportAs("manager", { run_id: approvedRun });
    const again = await exportAs("manager", { run_id: approvedRun }, { accept: "application/json" });
    expect(again.headers.get("content-type")).toBe("application/json");
    const body = (await again.json()) as PayoutExport;
    expect(body.export_id).toBe(first.headers.get("x-export-id"));
    expect(body.content).toBe(await first.text());
    expect(body.checksum_sha256).toBe(first.headers.get("x-checksum-sha256"));
    expect(body).toMatchObject({ run_id: approvedRun, row_count: 3, total_amount: "3300.00", currency: "UZS" });
    expect(Number.isNaN(Date.parse(body.created_at))).toBe(false);
    expect(await payouts()).toBe(1);
  });
});
