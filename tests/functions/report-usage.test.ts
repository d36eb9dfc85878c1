// The report-usage function against the real database: a tool server reports metered usage with its
// creator's API key. Keys are created, rotated and revoked through the SQL API as the creator would;
// every refusal (missing, unknown, revoked, expired, out-of-scope key, unauthorised client, rate limit)
// and the exactly-once charge per usage id are checked over the handler.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type postgres from "postgres";
import { connect } from "../../functions/_shared/db.ts";
import { createReportUsageHandler } from "../../functions/report-usage/handler.ts";
import { closeDbs, createUser, mintToken, openDb, urls, type TestUser } from "../helpers/stack.ts";

const sql = connect(urls.db);
const admin = openDb("supabase_admin");
const db = openDb();
const handler = createReportUsageHandler({ sql });

let client: TestUser;
let creator: TestUser;
let creatorClaims: Record<string, unknown>;
let clientClaims: Record<string, unknown>;
let tool: string;
let otherTool: string;

/** A Data API request as the given user. */
function as<T>(claims: Record<string, unknown>, work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return db.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    return work(tx);
  }) as Promise<T>;
}

async function createKey(tools: string[], options: { rate?: number; expiresAt?: string } = {}): Promise<{ id: string; api_key: string; prefix: string }> {
  const [row] = await as(creatorClaims, (tx) => tx<{ id: string; api_key: string; prefix: string }[]>`
    select * from public.create_api_key('server', ${tools}::uuid[], ${options.expiresAt ?? null}::timestamptz, ${options.rate ?? 600})`);
  return row!;
}

function report(key: string | null, body: Record<string, unknown>, header: "x-api-key" | "authorization" = "x-api-key"): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key !== null) headers[header] = header === "authorization" ? `Bearer ${key}` : key;
  return handler(new Request("http://127.0.0.1/functions/v1/report-usage", { method: "POST", headers, body: JSON.stringify(body) }));
}

async function expectError(res: Response, status: number, code: string): Promise<void> {
  const { error } = (await res.json()) as { error: { code: string } };
  expect({ status: res.status, code: error.code }).toEqual({ status, code });
}

async function usages(): Promise<number> {
  const [row] = await admin<{ n: number }[]>`select count(*)::int as n from public.tool_usages where client_id = ${client.id} and source = 'metered'`;
  return row!.n;
}

beforeAll(async () => {
  client = await createUser();
  creator = await createUser({ role: "tool_creator" });
  creatorClaims = (await mintToken(creator.email)).claims as unknown as Record<string, unknown>;
  clientClaims = (await mintToken(client.email)).claims as unknown as Record<string, unknown>;
  const rows = await admin<{ id: string }[]>`
    insert into public.tools (creator_id, name, price_points, status)
    values (${creator.id}, 'Metered', 4, 'approved'), (${creator.id}, 'Other', 4, 'approved') returning id`;
  tool = rows[0]!.id;
  otherTool = rows[1]!.id;
  await admin`select private.admin_adjust_points(${client.id}::uuid, 10, 'paid', 'metered tests', ${`ru-${client.id}`})`;
});

afterAll(async () => {
  await sql.end();
  await closeDbs();
});

describe("API keys", () => {
  it("returns the secret once and stores only its hash and prefix", async () => {
    const key = await createKey([tool]);
    expect(key.api_key).toMatch(/^tk_[0-9a-f]{48}$/);
    expect(key.prefix).toBe(key.api_key.slice(0, 11));
    const [stored] = await admin<{ matches: boolean; plain: number }[]>`
      select secret_hash = sha256(convert_to(${key.api_key}, 'UTF8')) as matches,
             (select count(*)::int from public.api_keys k where position(${key.api_key} in k::text) > 0) as plain
        from public.api_keys where id = ${key.id}`;
    expect(stored).toEqual({ matches: true, plain: 0 });
    await expect(as(creatorClaims, (tx) => tx`select secret_hash from public.api_keys`)).rejects.toMatchObject({ code: "42501" });
  });

  it("refuses keys for tools that are not the creator's, and keys for clients", async () => {
    const [foreign] = await admin<{ id: string }[]>`
      insert into public.tools (creator_id, name, price_points) values (${client.id}, 'Not theirs', 1) returning id`;
    await expect(createKey([foreign!.id])).rejects.toMatchObject({ detail: "api_key.scope_invalid" });
    await expect(as(clientClaims, (tx) => tx`select * from public.create_api_key('x', ${[tool]}::uuid[])`))
      .rejects.toMatchObject({ detail: "api_key.creators_only" });
  });
});

describe("report-usage", () => {
  it("401 without a key or with an unknown one, 405 for GET, 400 naming bad fields", async () => {
    await expectError(await report(null, {}), 401, "api_key.missing");
    await expectError(await report("tk_" + "0".repeat(48), { tool_id: tool, client_id: client.id, usage_id: "u" }), 401, "api_key.invalid");
    const get = await handler(new Request("http://127.0.0.1/functions/v1/report-usage", { headers: { "x-api-key": "tk_x" } }));
    await expectError(get, 405, "request.method_not_allowed");
    const key = await createKey([tool]);
    await expectError(await report(key.api_key, { tool_id: "x", client_id: client.id }), 400, "request.invalid_body");
  });

  it("403 points.tool_not_authorized until the client authorises the tool; then charges once per usage id", async () => {
    const key = await createKey([tool]);
    await expectError(await report(key.api_key, { tool_id: tool, client_id: client.id, usage_id: "m-0" }), 403, "points.tool_not_authorized");
    await as(clientClaims, (tx) => tx`insert into public.tool_authorizations (client_id, tool_id) values (${client.id}, ${tool})`);
    const first = await report(key.api_key, { tool_id: tool, client_id: client.id, usage_id: "m-1" }, "authorization");
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ result: "ok", replayed: false, balance: 6 });
    const again = await report(key.api_key, { tool_id: tool, client_id: client.id, usage_id: "m-1" });
    expect(await again.json()).toMatchObject({ result: "ok", replayed: true });
    expect(await usages()).toBe(1);
    await expectError(await report(key.api_key, { tool_id: tool, client_id: creator.id, usage_id: "m-1" }), 409, "points.key_reused");
    const [used] = await admin<{ last_used_at: Date | null }[]>`select last_used_at from public.api_keys where id = ${key.id}`;
    expect(used!.last_used_at).not.toBeNull();
  });

  it("403 for a tool outside the key's scope; 402 when the client cannot pay", async () => {
    const key = await createKey([tool]);
    await expectError(await report(key.api_key, { tool_id: otherTool, client_id: client.id, usage_id: "m-x" }), 403, "api_key.tool_out_of_scope");
    expect((await report(key.api_key, { tool_id: tool, client_id: client.id, usage_id: "m-2" })).status).toBe(200);
    await expectError(await report(key.api_key, { tool_id: tool, client_id: client.id, usage_id: "m-3" }), 402, "points.insufficient_balance");
    expect(await usages()).toBe(2);
  });

  it("a revoked key is refused on the very next request", async () => {
    const key = await createKey([tool]);
    expect((await report(key.api_key, { tool_id: tool, client_id: client.id, usage_id: "m-1" })).status).toBe(200);
    await as(creatorClaims, (tx) => tx`select public.revoke_api_key(${key.id}::uuid)`);
    await expectError(await report(key.api_key, { tool_id: tool, client_id: client.id, usage_id: "m-1" }), 401, "api_key.invalid");
  });

  it("rotation: both keys work during the overlap, the old one never outlives its expiry, and an expired key is refused", async () => {
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    const old = await createKey([tool], { expiresAt });
    const [next] = await as(creatorClaims, (tx) => tx<{ id: string; api_key: string }[]>`
      select * from public.rotate_api_key(${old.id}::uuid, 86400)`);
    const rows = await admin<{ id: string; expires_at: Date; rotated_from_id: string | null }[]>`
      select id, expires_at, rotated_from_id from public.api_keys where id in (${old.id}, ${next!.id})`;
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(byId[old.id]!.expires_at.toISOString()).toBe(expiresAt);
    expect(byId[next!.id]!.expires_at.toISOString()).toBe(expiresAt);
    expect(byId[next!.id]!.rotated_from_id).toBe(old.id);
    for (const key of [old.api_key, next!.api_key]) {
      expect((await report(key, { tool_id: tool, client_id: client.id, usage_id: "m-1" })).status).toBe(200);
    }
    await admin`update public.api_keys set expires_at = now() - interval '1 second' where id = ${old.id}`;
    await expectError(await report(old.api_key, { tool_id: tool, client_id: client.id, usage_id: "m-1" }), 401, "api_key.invalid");
  });

  it("429 points.rate_limited past the key's limit per minute, with retry-after", async () => {
    const key = await createKey([tool], { rate: 2 });
    for (let i = 0; i < 2; i += 1) expect((await report(key.api_key, { tool_id: tool, client_id: client.id, usage_id: "m-1" })).status).toBe(200);
    const limited = await report(key.api_key, { tool_id: tool, client_id: client.id, usage_id: "m-1" });
    expect(limited.headers.get("retry-after")).toBe("60");
    await expectError(limited, 429, "points.rate_limited");
  });
});
