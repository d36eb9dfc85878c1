// The use-tool function against the real database: direct debits, tools with an endpoint called
// between hold and settle (through a fake fetch), failed and timed-out calls costing nothing, replays
// that never call the tool twice, and refusals as the error envelope with the right status.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJwtVerifier } from "../../functions/_shared/auth.ts";
import { connect } from "../../functions/_shared/db.ts";
import { createUseToolHandler } from "../../functions/use-tool/handler.ts";
import { publicJwks } from "../../scripts/lib/keys.ts";
import { closeDbs, createUser, mintToken, openDb, stackKeys, urls, type TestUser } from "../helpers/stack.ts";

const sql = connect(urls.db);
const admin = openDb("supabase_admin");
const calls: { url: string; body: Record<string, unknown> }[] = [];
let toolAnswer: () => Promise<Response> = async () => Response.json({ summary: "done" });

/** Like fetch: gives up with the signal's reason (a TimeoutError) when the caller aborts. */
const fakeFetch: typeof fetch = (input, init) => {
  calls.push({ url: String(input), body: JSON.parse(String(init?.body)) as Record<string, unknown> });
  return new Promise<Response>((resolve, reject) => {
    init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
    toolAnswer().then(resolve, reject);
  });
};
const handler = createUseToolHandler({
  verifyCaller: createJwtVerifier({ jwks: JSON.stringify(publicJwks(stackKeys())) }),
  sql,
  fetch: fakeFetch,
  toolTimeoutMs: 200,
});

let client: TestUser;
let token: string;
let creatorToken: string;
let directTool: string;
let hookedTool: string;
let draftTool: string;

async function tool(creator: string, price: number, status: string, endpoint: string | null): Promise<string> {
  const [row] = await admin<{ id: string }[]>`
    insert into public.tools (creator_id, name, price_points, status, endpoint_url)
    values (${creator}, 'Handler tool', ${price}, ${status}::public.tool_status, ${endpoint}) returning id`;
  return row!.id;
}

async function available(): Promise<number> {
  const [row] = await admin<{ available: number }[]>`select available::int from public.points_balances where client_id = ${client.id}`;
  return row?.available ?? 0;
}

function use(body: unknown, as: string | null = token, method = "POST"): Promise<Response> {
  return handler(new Request("http://127.0.0.1/functions/v1/use-tool", {
    method,
    headers: { "content-type": "application/json", ...(as === null ? {} : { authorization: `Bearer ${as}` }) },
    body: method === "GET" ? undefined : JSON.stringify(body),
  }));
}

async function expectError(res: Response, status: number, code: string): Promise<Record<string, unknown>> {
  const { error } = (await res.json()) as { error: { code: string; details?: Record<string, unknown> } };
  expect({ status: res.status, code: error.code }).toEqual({ status, code });
  return error.details ?? {};
}

beforeAll(async () => {
  client = await createUser();
  const creator = await createUser({ role: "tool_creator" });
  token = (await mintToken(client.email)).accessToken;
  creatorToken = (await mintToken(creator.email)).accessToken;
  directTool = await tool(creator.id, 10, "approved", null);
  hookedTool = await tool(creator.id, 15, "approved", "https://tool.example/run");
  draftTool = await tool(creator.id, 5, "draft", null);
  await admin`select private.admin_adjust_points(${client.id}::uuid, 50, 'granted', 'handler tests', ${`ut-${client.id}`})`;
});

afterAll(async () => {
  await sql.end();
  await closeDbs();
});

describe("use-tool", () => {
  it("401 without a token, 405 for GET, 415 for a non-JSON body, 400 naming bad fields", async () => {
    await expectError(await use({}, null), 401, "auth.missing_token");
    await expectError(await use({}, token, "GET"), 405, "request.method_not_allowed");
    const plain = await handler(new Request("http://127.0.0.1/functions/v1/use-tool", {
      method: "POST", headers: { authorization: `Bearer ${token}` }, body: "x" }));
    await expectError(plain, 415, "request.unsupported_media_type");
    const details = await expectError(await use({ tool_id: "nope", request_key: "", extra: 1 }), 400, "request.invalid_body");
    expect(Object.keys(details.fields as object).sort()).toEqual(["extra", "request_key", "tool_id"]);
  });

  it("debits a tool without an endpoint at once and replays the same request_key without charging again", async () => {
    const first = await use({ tool_id: directTool, request_key: "direct-1" });
    expect(first.status).toBe(200);
    const body = (await first.json()) as { result: string; replayed: boolean; usage_id: string; balance: number };
    expect(body).toMatchObject({ result: "ok", replayed: false, balance: 40 });
    const again = (await (await use({ tool_id: directTool, request_key: "direct-1" })).json()) as typeof body;
    expect(again).toMatchObject({ result: "ok", replayed: true, usage_id: body.usage_id });
    expect(await available()).toBe(40);
    expect(calls).toHaveLength(0);
  });

  it("404 points.tool_unavailable for a draft; 409 points.key_reused for a key sent with another tool", async () => {
    await expectError(await use({ tool_id: draftTool, request_key: "draft-1" }), 404, "points.tool_unavailable");
    await expectError(await use({ tool_id: hookedTool, request_key: "direct-1" }), 409, "points.key_reused");
  });

  it("403 for a creator: only clients spend points", async () => {
    await expectError(await use({ tool_id: directTool, request_key: "creator-1" }, creatorToken), 403, "points.clients_only");
  });

  it("401 auth.session_ended after sign-out, though the spend went out in the same round trip: nothing charged", async () => {
    const leaving = await createUser();
    const issued = await mintToken(leaving.email);
    await admin`select private.admin_adjust_points(${leaving.id}::uuid, 30, 'paid', 'handler tests', ${`ut-${leaving.id}`})`;
    await admin`delete from auth.sessions where id = ${issued.sessionId}`;
    await expectError(await use({ tool_id: directTool, request_key: "gone-1" }, issued.accessToken), 401, "auth.session_ended");
    const [row] = await admin<{ usages: number; requests: number }[]>`
      select (select count(*)::int from public.tool_usages where client_id = ${leaving.id}) as usages,
             (select count(*)::int from private.points_requests where scope = ${`spend:${leaving.id}`}) as requests`;
    expect(row).toEqual({ usages: 0, requests: 0 });
    // The aborted transactions rolled back on their pooled connections: the next spends go through.
    for (const key of ["after-gone-1", "after-gone-2", "after-gone-3", "after-gone-4"]) {
      expect((await use({ tool_id: directTool, request_key: key })).status).toBe(200);
    }
    await admin`select private.admin_adjust_points(${client.id}::uuid, 40, 'granted', 'handler tests', ${`ut2-${client.id}`})`;
  });

  it("calls a tool with an endpoint under a hold and charges when it answers; a replay does not call it again", async () => {
    toolAnswer = async () => Response.json({ summary: "done" });
    const res = await use({ tool_id: hookedTool, request_key: "hooked-1", input: { text: "hi" } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: string; output: unknown; usage_id: string };
    expect(body).toMatchObject({ result: "ok", output: { summary: "done" } });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ url: "https://tool.example/run", body: { tool_id: hookedTool, client_id: client.id, input: { text: "hi" } } });
    expect(await available()).toBe(25);
    const again = (await (await use({ tool_id: hookedTool, request_key: "hooked-1" })).json()) as typeof body;
    expect(again).toMatchObject({ result: "ok", replayed: true, usage_id: body.usage_id });
    expect(calls).toHaveLength(1);
  });

  it("502 tool.call_failed when the tool errors or times out, and the client keeps every point", async () => {
    toolAnswer = async () => new Response("boom", { status: 500 });
    await expectError(await use({ tool_id: hookedTool, request_key: "hooked-500" }), 502, "tool.call_failed");
    toolAnswer = () => new Promise((resolve) => setTimeout(() => resolve(Response.json({})), 1000));
    await expectError(await use({ tool_id: hookedTool, request_key: "hooked-slow" }), 502, "tool.call_failed");
    expect(await available()).toBe(25);
    const [row] = await admin<{ held: number; released: number }[]>`
      select (select coalesce(sum(held), 0)::int from public.points_accounts where owner_id = ${client.id}) as held,
             (select count(*)::int from public.points_holds where client_id = ${client.id} and status = 'released') as released`;
    expect(row).toEqual({ held: 0, released: 2 });
    await expectError(await use({ tool_id: hookedTool, request_key: "hooked-500" }), 502, "tool.call_failed");
    expect(calls).toHaveLength(3);
  });

  it("402 points.insufficient_balance with what is available, before calling anything", async () => {
    toolAnswer = async () => Response.json({});
    await use({ tool_id: hookedTool, request_key: "hooked-2" });
    const details = await expectError(await use({ tool_id: hookedTool, request_key: "hooked-3" }), 402, "points.insufficient_balance");
    expect(details.available).toBe(10);
    expect(calls).toHaveLength(4);
  });
});
