// The videos and synthesia-webhook functions against the real database and the Synthesia fake: a render
// end to end (create → signed webhook → complete, fresh download links), retried creates, signatures,
// replayed and out-of-order events, the write limits, every way Synthesia can fail, points holds,
// deletion, who may do what, and the reconciliation of renders stuck in progress.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createJwtVerifier } from "../../functions/_shared/auth.ts";
import { connect } from "../../functions/_shared/db.ts";
import { createSynthesiaClient, synthesiaSignature, verifySynthesiaSignature } from "../../functions/_shared/synthesia.ts";
import { createSynthesiaWebhookHandler } from "../../functions/synthesia-webhook/handler.ts";
import { createVideosHandler, type WriteLimits } from "../../functions/videos/handler.ts";
import { publicJwks } from "../../scripts/lib/keys.ts";
import { startFake, type Fake } from "../fakes/server.ts";
import { startSynthesiaFake, type SynthesiaFake } from "../fakes/synthesia.ts";
import { closeDbs, createUser, mintToken, openDb, stackKeys, urls, type TestUser } from "../helpers/stack.ts";

const sql = connect(urls.db, { max: 6 });
const admin = openDb("supabase_admin");
const verifyCaller = createJwtVerifier({ jwks: JSON.stringify(publicJwks(stackKeys())) });
const webhookSecret = "whsec-test-synthesia";
const serviceRoleKey = "test-service-role-key";
const logged: unknown[] = [];

let synthesia: SynthesiaFake;
let webhookServer: Fake;
let owner: TestUser;
let viewer: TestUser;
let outsider: TestUser;
const tokens: Record<string, string> = {};
let tenant: string;
let paidTenant: string;
let project: string;
let templateProject: string;
let paidProject: string;
let tool: string;

const webhook = createSynthesiaWebhookHandler({ secret: webhookSecret, sql });

function videos(overrides: { apiUrl?: string; apiKey?: string; limits?: WriteLimits } = {}) {
  return createVideosHandler({
    verifyCaller,
    sql,
    synthesia: createSynthesiaClient({ apiUrl: overrides.apiUrl ?? synthesia.url, apiKey: overrides.apiKey ?? synthesia.apiKey, timeoutMs: 2000 }),
    serviceRoleKey,
    limits: overrides.limits,
    log: (message, detail) => logged.push({ message, detail }),
  });
}

function call(handler = videos(), { method = "GET", path = "", body, as = "owner", bearer }: { method?: string; path?: string; body?: unknown; as?: string; bearer?: string } = {}) {
  return handler(new Request(`http://127.0.0.1/functions/v1/videos${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer ?? tokens[as]}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  }));
}

const render = (projectId: string, key = crypto.randomUUID(), handler = videos(), as = "owner") =>
  call(handler, { method: "POST", body: { project_id: projectId, request_key: key }, as });

async function expectError(res: Response, status: number, code: string): Promise<{ message: string; details?: Record<string, unknown> }> {
  const { error } = (await res.json()) as { error: { code: string; message: string; details?: Record<string, unknown> } };
  expect({ status: res.status, code: error.code }).toEqual({ status, code });
  return error;
}

interface RenderBody { id: string; status: string; synthesia_video_id: string | null; replayed?: boolean; hold_id: string | null; error: { code: string } | null; download?: { url: string } }

async function renderRow(id: string) {
  const [row] = await admin<{ status: string; error_code: string | null; hold_id: string | null; synthesia_video_id: string | null }[]>`
    select status::text, error_code, hold_id, synthesia_video_id from public.video_renders where id = ${id}`;
  return row;
}

async function holdStatus(holdId: string | null): Promise<string | undefined> {
  const [row] = await admin<{ status: string }[]>`select status::text from public.points_holds where id = ${holdId}`;
  return row?.status;
}

async function signedDelivery(body: string, { secret = webhookSecret, timestamp = String(Math.floor(Date.now() / 1000)) } = {}) {
  return webhook(new Request("http://127.0.0.1/functions/v1/synthesia-webhook", {
    method: "POST",
    headers: { "content-type": "application/json", "synthesia-timestamp": timestamp, "synthesia-signature": await synthesiaSignature(secret, timestamp, body) },
    body,
  }));
}

interface ProjectFields { scenes?: unknown; avatar?: string; voice?: string; template_id?: string; template_data?: unknown }

async function createProject(tenantId: string, fields: ProjectFields): Promise<string> {
  const [campaign] = await admin<{ id: string }[]>`
    insert into public.campaigns (tenant_id, name, status) values (${tenantId}, ${`Launch ${crypto.randomUUID()}`}, 'active') returning id`;
  const asJson = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
  const [row] = await admin<{ id: string }[]>`
    insert into public.video_projects (tenant_id, campaign_id, title, scenes, avatar, voice, template_id, template_data)
    values (${tenantId}, ${campaign!.id}, 'Spring launch', ${asJson(fields.scenes)}::text::jsonb, ${fields.avatar ?? null}, ${fields.voice ?? null}::uuid,
            ${fields.template_id ?? null}::uuid, ${asJson(fields.template_data)}::text::jsonb)
    returning id`;
  return row!.id;
}

beforeAll(async () => {
  webhookServer = await startFake(webhook);
  synthesia = await startSynthesiaFake({ webhook: { url: webhookServer.url, secret: webhookSecret } });
  [owner, viewer, outsider] = await Promise.all([createUser(), createUser(), createUser()]);
  const creator = await createUser({ role: "tool_creator" });
  for (const [name, user] of Object.entries({ owner, viewer, outsider })) tokens[name] = (await mintToken(user.email)).accessToken;
  const slug = () => `videos-${crypto.randomUUID().slice(0, 8)}`;
  const tenants = await admin<{ id: string }[]>`
    insert into public.tenants (name, slug) values ('Video tenant', ${slug()}), ('Paying video tenant', ${slug()}) returning id`;
  tenant = tenants[0]!.id;
  paidTenant = tenants[1]!.id;
  const [other] = await admin<{ id: string }[]>`insert into public.tenants (name, slug) values ('Other', ${slug()}) returning id`;
  await admin`
    insert into public.tenant_memberships (tenant_id, user_id, role) values
      (${tenant}, ${owner.id}, 'owner'), (${paidTenant}, ${owner.id}, 'owner'), (${tenant}, ${viewer.id}, 'viewer'), (${other!.id}, ${outsider.id}, 'owner')`;
  const scenes = [{ script_text: "Hello from Tangent" }, { script_text: "Spring deals", avatar: "max_costume1", background: "green_screen" }];
  project = await createProject(tenant, { scenes: scenes, avatar: "anna_costume1_cameraA", voice: "a1b2c3d4-0000-4000-8000-000000000001" });
  templateProject = await createProject(tenant, { template_id: "11111111-2222-4333-8444-555555555555", template_data: { name: "Aziz" } });
  paidProject = await createProject(paidTenant, { scenes: scenes });
  const [priced] = await admin<{ id: string }[]>`
    insert into public.tools (creator_id, name, price_points, status) values (${creator.id}, 'Video render', 30, 'approved') returning id`;
  tool = priced!.id;
  await admin`insert into private.video_render_pricing (tenant_id, tool_id) values (${paidTenant}, ${tool})`;
  await admin`select private.admin_adjust_points(${owner.id}::uuid, 100, 'granted', 'video tests', ${`vt-${owner.id}`})`;
});

beforeEach(() => {
  logged.length = 0;
});

afterAll(async () => {
  await synthesia.stop();
  await webhookServer.stop();
  await sql.end();
  await closeDbs();
});

describe("the Synthesia signature", () => {
  it("is lowercase hex HMAC-SHA256 of timestamp.body keyed with the secret text, and stale or altered deliveries fail", async () => {
    const body = '{"type":"video.completed","data":{"id":"v"}}';
    const headers = new Headers({ "synthesia-timestamp": "1700000000", "synthesia-signature": await synthesiaSignature("s3cret", "1700000000", body) });
    expect(headers.get("synthesia-signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(await verifySynthesiaSignature("s3cret", headers, body, 1700000100)).toBe("ok");
    expect(await verifySynthesiaSignature("s3cret", headers, `${body} `, 1700000100)).toBe("mismatch");
    expect(await verifySynthesiaSignature("other", headers, body, 1700000100)).toBe("mismatch");
    expect(await verifySynthesiaSignature("s3cret", headers, body, 1700000000 + 601)).toBe("stale");
    expect(await verifySynthesiaSignature("s3cret", new Headers(), body, 1700000000)).toBe("missing");
  });
});

describe("videos: rendering through the fake", () => {
  it("renders end to end: raw key, our id as callbackId, the signed webhook completes it, links are fetched fresh", async () => {
    const res = await render(project);
    expect(res.status).toBe(201);
    const created = (await res.json()) as RenderBody;
    expect(created).toMatchObject({ status: "in_progress", replayed: false, hold_id: null });
    const video = synthesia.videos.get(created.synthesia_video_id!)!;
    expect(video.callbackId).toBe(created.id);
    expect(video.input).toEqual([
      { scriptText: "Hello from Tangent", avatar: "anna_costume1_cameraA", background: "off_white", avatarSettings: { voice: "a1b2c3d4-0000-4000-8000-000000000001" } },
      { scriptText: "Spring deals", avatar: "max_costume1", background: "green_screen", avatarSettings: { voice: "a1b2c3d4-0000-4000-8000-000000000001" } },
    ]);
    const sent = synthesia.requests.find((r) => r.method === "POST" && r.path === "/v2/videos")!;
    expect(sent.headers.authorization).toBe(synthesia.apiKey);

    const [delivery] = await synthesia.completeVideo(video.id);
    expect(delivery!.status).toBe(200);
    expect(await renderRow(created.id)).toMatchObject({ status: "complete" });

    const first = (await (await call(videos(), { path: `/${created.id}` })).json()) as RenderBody;
    const second = (await (await call(videos(), { path: `/${created.id}` })).json()) as RenderBody;
    expect(first).toMatchObject({ status: "complete", fresh: true });
    expect(first.download!.url).toMatch(/^https:\/\/synthesia-fake\.invalid\//);
    expect(second.download!.url).not.toBe(first.download!.url);
    const [stored] = await admin<{ row: string }[]>`select to_jsonb(r)::text as row from public.video_renders r where id = ${created.id}`;
    expect(stored!.row).not.toContain("synthesia-fake.invalid");
  });

  it("renders a template project through /v2/videos/fromTemplate", async () => {
    const created = (await (await render(templateProject)).json()) as RenderBody;
    const video = synthesia.videos.get(created.synthesia_video_id!)!;
    expect(video).toMatchObject({ fromTemplate: true, input: { templateId: "11111111-2222-4333-8444-555555555555", templateData: { name: "Aziz" } } });
  });

  it("a retried create with the same key replays the render and never starts a second video; another project with it is 409", async () => {
    const key = crypto.randomUUID();
    const before = synthesia.videos.size;
    const [a, b] = await Promise.all([render(project, key), render(project, key)]);
    const statuses = [a.status, b.status].sort();
    // The twin waits for the first request's row: it replays it, or says it is still being started.
    expect(statuses[0] === 200 || statuses[1] === 409).toBe(true);
    expect(statuses).toContain(201);
    const first = (a.status === 201 ? await a.json() : await b.json()) as RenderBody;
    expect(synthesia.videos.size).toBe(before + 1);
    const again = (await (await render(project, key)).json()) as RenderBody;
    expect(again).toMatchObject({ id: first.id, replayed: true });
    await expectError(await render(templateProject, key), 409, "video.key_reused");
  });

  it("refuses bad input, viewers and other tenants before calling Synthesia", async () => {
    const before = synthesia.requests.length;
    const bad = await expectError(await call(videos(), { method: "POST", body: { project_id: "x", request_key: "" } }), 400, "request.invalid_body");
    expect(Object.keys(bad.details!.fields as object).sort()).toEqual(["project_id", "request_key"]);
    await expectError(await render(project, undefined, videos(), "viewer"), 404, "video.project_not_found");
    await expectError(await render(project, undefined, videos(), "outsider"), 404, "video.project_not_found");
    const tooMany = await createProject(tenant, { scenes: Array.from({ length: 25 }, () => ({ script_text: "" })) });
    const invalid = await expectError(await render(tooMany), 400, "video.project_invalid");
    expect(invalid.details!.fields).toHaveProperty("scenes.0.script_text");
    expect(synthesia.requests.length).toBe(before);
    expect(await admin`select 1 from public.video_renders where project_id = ${tooMany}`).toHaveLength(0);
  });

  it("members read their tenant's renders; other tenants get 404 and an empty list", async () => {
    const created = (await (await render(project)).json()) as RenderBody;
    expect((await call(videos(), { path: `/${created.id}`, as: "viewer" })).status).toBe(200);
    await expectError(await call(videos(), { path: `/${created.id}`, as: "outsider" }), 404, "video.not_found");
    const listed = (await (await call(videos(), { path: `?project_id=${project}`, as: "viewer" })).json()) as { videos: RenderBody[] };
    expect(listed.videos.map((v) => v.id)).toContain(created.id);
    expect(((await (await call(videos(), { as: "outsider" })).json()) as { videos: unknown[] }).videos).toEqual([]);
    await expectError(await call(videos(), { path: `/${created.id}`, method: "DELETE", as: "viewer" }), 404, "video.not_found");
  });

  it("deletes at Synthesia too", async () => {
    const created = (await (await render(project)).json()) as RenderBody;
    const res = await call(videos(), { path: `/${created.id}`, method: "DELETE" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as RenderBody).status).toBe("deleted");
    expect(synthesia.videos.has(created.synthesia_video_id!)).toBe(false);
    await expect(admin`delete from public.video_projects where id = ${project}`).rejects.toMatchObject({ code: "PT409", detail: "video.project_has_videos" });
  });
});

describe("synthesia-webhook", () => {
  async function started(): Promise<RenderBody> {
    return (await (await render(project)).json()) as RenderBody;
  }

  it("401 for a wrong signature, a missing one or a stale timestamp, and nothing changes", async () => {
    const created = await started();
    const body = JSON.stringify({ type: "video.completed", data: { id: created.synthesia_video_id, status: "complete" } });
    await expectError(await signedDelivery(body, { secret: "not-the-secret" }), 401, "webhook.invalid_signature");
    await expectError(await webhook(new Request("http://x/", { method: "POST", body })), 401, "webhook.invalid_signature");
    await expectError(await signedDelivery(body, { timestamp: String(Math.floor(Date.now() / 1000) - 3600) }), 401, "webhook.stale_timestamp");
    expect(await renderRow(created.id)).toMatchObject({ status: "in_progress" });
  });

  it("a replayed event is acknowledged as a duplicate", async () => {
    const created = await started();
    await synthesia.completeVideo(created.synthesia_video_id!);
    const [replay] = await synthesia.sendEvent(created.synthesia_video_id!, "video.completed");
    expect(replay!.status).toBe(200);
    const res = await signedDelivery(replay!.body);
    expect(await res.json()).toMatchObject({ outcome: "duplicate" });
  });

  it("out of order: a failure after completion, or in_progress after it, never moves a finished render back", async () => {
    const created = await started();
    await synthesia.completeVideo(created.synthesia_video_id!);
    const late = JSON.stringify({ type: "video.failed", data: { id: created.synthesia_video_id, status: "error", callbackId: created.id } });
    expect(await (await signedDelivery(late)).json()).toMatchObject({ outcome: "applied", status: "complete" });
    const [row] = await admin<RenderBody[]>`select * from private.video_apply_status(${created.id}::uuid, 'in_progress', null, null)`;
    expect(row!.status).toBe("complete");
  });

  it("a webhook that arrives before we stored the video id is matched by callbackId", async () => {
    const [begun] = await admin<{ id: string }[]>`
      insert into public.video_renders (project_id, tenant_id, requested_by, request_key, test)
      values (${project}, ${tenant}, ${owner.id}, ${crypto.randomUUID()}, true) returning id`;
    const body = JSON.stringify({ type: "video.completed", data: { id: `early-${begun!.id}`, status: "complete", callbackId: begun!.id } });
    expect(await (await signedDelivery(body)).json()).toMatchObject({ outcome: "applied", status: "complete" });
    expect(await renderRow(begun!.id)).toMatchObject({ status: "complete", synthesia_video_id: `early-${begun!.id}` });
  });

  it("acknowledges unknown videos and other event types", async () => {
    expect(await (await signedDelivery(JSON.stringify({ type: "video.completed", data: { id: crypto.randomUUID(), status: "complete" } }))).json())
      .toMatchObject({ outcome: "unknown_video" });
    expect(await (await signedDelivery(JSON.stringify({ type: "template.updated", data: { id: "t" } }))).json()).toEqual({ outcome: "ignored" });
  });
});

describe("videos: limits and Synthesia's errors", () => {
  it("enforces the write limits per key before calling, with Retry-After, and a refused render can be retried with its key", async () => {
    const own = await startSynthesiaFake({ apiKey: `limited-${crypto.randomUUID()}` });
    try {
      const handler = videos({ apiUrl: own.url, apiKey: own.apiKey, limits: { perMinute: 2, perHour: 300, perDay: 1000 } });
      expect((await render(project, undefined, handler)).status).toBe(201);
      expect((await render(project, undefined, handler)).status).toBe(201);
      const key = crypto.randomUUID();
      const limited = await render(project, key, handler);
      const error = await expectError(limited, 429, "video.rate_limited");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(error.details).toMatchObject({ limit: "minute" });
      expect(own.videos.size).toBe(2);
      expect(await admin`select 1 from public.video_renders where request_key = ${key}`).toHaveLength(0);
      expect((await render(project, key, videos({ apiUrl: own.url, apiKey: own.apiKey }))).status).toBe(201);
    } finally {
      await own.stop();
    }
  });

  it("Synthesia 400 → our 400 with its message; the render is failed and a replay answers the same", async () => {
    const key = crypto.randomUUID();
    synthesia.failNext({ status: 400, message: "input[0].avatar: unknown avatar" });
    const error = await expectError(await render(project, key), 400, "video.synthesia_rejected");
    expect(error.message).toContain("unknown avatar");
    await expectError(await render(project, key), 400, "video.synthesia_rejected");
  });

  it("Synthesia 403 → 503 configuration error for the user, audited for admins", async () => {
    synthesia.failNext({ status: 403 });
    const key = crypto.randomUUID();
    const error = await expectError(await render(project, key), 503, "video.provider_misconfigured");
    expect(error.message).not.toMatch(/key/i);
    const [renderId] = await admin<{ id: string }[]>`select id from public.video_renders where request_key = ${key}`;
    const audited = await admin`select details from public.audit_log where action = 'synthesia.misconfigured' and target_id = ${renderId!.id}`;
    expect(audited).toHaveLength(1);
  });

  it("Synthesia 429 → 429 with its Retry-After, nothing left behind", async () => {
    synthesia.failNext({ status: 429, retryAfter: 17 });
    const key = crypto.randomUUID();
    const res = await render(project, key);
    await expectError(res, 429, "video.rate_limited");
    expect(res.headers.get("retry-after")).toBe("17");
    expect(await admin`select 1 from public.video_renders where request_key = ${key}`).toHaveLength(0);
  });

  it("Synthesia down → 502, the render failed and its points released", async () => {
    const down = videos({ apiUrl: "http://127.0.0.1:9", apiKey: `down-${crypto.randomUUID()}` });
    const key = crypto.randomUUID();
    await expectError(await render(paidProject, key, down), 502, "video.provider_unavailable");
    const [row] = await admin<{ id: string; hold_id: string }[]>`select id, hold_id from public.video_renders where request_key = ${key}`;
    expect(await renderRow(row!.id)).toMatchObject({ status: "failed", error_code: "video.provider_unavailable" });
    expect(await holdStatus(row!.hold_id)).toBe("released");
    synthesia.failNext({ status: "hangup" });
    await expectError(await render(project), 502, "video.provider_unavailable");
  });
});

describe("videos: paid in points", () => {
  async function available(): Promise<number> {
    const [row] = await admin<{ available: number }[]>`select available::int from public.points_balances where client_id = ${owner.id}`;
    return row?.available ?? 0;
  }

  it("holds at creation, settles on video.completed, releases on video.failed", async () => {
    const start = await available();
    const done = (await (await render(paidProject)).json()) as RenderBody;
    expect(await holdStatus(done.hold_id)).toBe("active");
    expect(await available()).toBe(start - 30);
    await synthesia.completeVideo(done.synthesia_video_id!);
    expect(await holdStatus(done.hold_id)).toBe("settled");

    const failed = (await (await render(paidProject)).json()) as RenderBody;
    await synthesia.failVideo(failed.synthesia_video_id!);
    expect(await renderRow(failed.id)).toMatchObject({ status: "failed", error_code: "video.render_failed" });
    expect(await holdStatus(failed.hold_id)).toBe("released");
    expect(await available()).toBe(start - 30);
  });

  it("402 when the wallet cannot pay, before calling Synthesia", async () => {
    const before = synthesia.videos.size;
    const spend = Math.floor((await available()) / 30);
    const renders = [];
    for (let i = 0; i < spend; i++) renders.push((await render(paidProject)).status);
    expect(renders.every((s) => s === 201)).toBe(true);
    await expectError(await render(paidProject), 402, "points.insufficient_balance");
    expect(synthesia.videos.size).toBe(before + spend);
  });
});

describe("videos: reconciliation", () => {
  it("the job flags renders stuck in progress, /reconcile asks Synthesia; renders open for 2 hours time out and release their points", async () => {
    await admin`select private.admin_adjust_points(${owner.id}::uuid, 60, 'granted', 'video reconcile', ${`vr-${owner.id}`})`;
    const stuck = (await (await render(project)).json()) as RenderBody;
    const late = (await (await render(paidProject)).json()) as RenderBody;
    synthesia.videos.get(stuck.synthesia_video_id!)!.status = "complete";

    await expectError(await call(videos(), { method: "POST", path: "/reconcile", bearer: tokens.owner }), 403, "video.reconcile_forbidden");
    const [flags] = await admin<{ flagged: number }[]>`select * from private.video_flag_stalled(now() + interval '15 minutes')`;
    expect(flags!.flagged).toBeGreaterThanOrEqual(2);
    const res = await call(videos(), { method: "POST", path: "/reconcile", bearer: serviceRoleKey });
    const body = (await res.json()) as { checked: number; changed: { id: string; status: string }[] };
    expect(body.changed).toContainEqual({ id: stuck.id, status: "complete" });
    expect(await renderRow(late.id)).toMatchObject({ status: "in_progress" });

    await admin`select * from private.video_flag_stalled(now() + interval '3 hours')`;
    expect(await renderRow(late.id)).toMatchObject({ status: "failed", error_code: "video.timeout" });
    expect(await holdStatus(late.hold_id)).toBe("released");
  });
});
