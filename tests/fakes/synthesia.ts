// Fake of the Synthesia API v2 (research external-apis §1.11): videos and webhooks with the raw API key
// in Authorization, 400 for missing fields, 404 for unknown ids, and a state machine in_progress →
// complete | error advanced on command (completeVideo/failVideo or POST /_fake/videos/<id>/complete|fail)
// or after autoCompleteMs, each change POSTed as {type, data} to the webhook URLs, signed as Synthesia
// signs (Synthesia-Timestamp + Synthesia-Signature). failNext makes the next write calls answer
// 400/403/429 (or hang up), for the error paths. Unlike real Synthesia it accepts loopback webhook URLs.
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { startFake, type Fake } from "./server.ts";

export interface SynthesiaFakeOptions {
  apiKey?: string;
  /** A webhook registered from the start (what the local stack points at its synthesia-webhook function). */
  webhook?: { url: string; secret?: string };
  /** Complete every new video after this many milliseconds (never when unset). */
  autoCompleteMs?: number;
}

export interface FakeVideo {
  id: string;
  status: "in_progress" | "complete" | "error" | "rejected";
  callbackId: string | null;
  title: string | null;
  test: boolean;
  fromTemplate: boolean;
  input: unknown;
  createdAt: number;
  lastUpdatedAt: number;
}

export interface SentWebhook {
  url: string;
  headers: Record<string, string>;
  body: string;
  status: number | null;
}

export type FakeFailure = { status: 400 | 403 | 429 | 500; message?: string; retryAfter?: number } | { status: "hangup" };

export interface SynthesiaFake extends Fake {
  apiKey: string;
  videos: Map<string, FakeVideo>;
  webhooks: { id: string; url: string; secret: string }[];
  sent: SentWebhook[];
  /** The next `count` write calls (create, delete) fail this way. */
  failNext(failure: FakeFailure, count?: number): void;
  completeVideo(id: string): Promise<SentWebhook[]>;
  failVideo(id: string): Promise<SentWebhook[]>;
  /** Sends the video's current state as this event again (Synthesia's retries, or a replay). */
  sendEvent(id: string, type: "video.completed" | "video.failed"): Promise<SentWebhook[]>;
}

export function synthesiaSignature(secret: string, timestamp: string, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex");
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => Response.json(body, { status, headers });
const error = (status: number, message: string, headers: Record<string, string> = {}) => json({ error: message }, status, headers);

export async function startSynthesiaFake(options: SynthesiaFakeOptions = {}, port = 0): Promise<SynthesiaFake> {
  const apiKey = options.apiKey ?? `fake-synthesia-${randomBytes(12).toString("hex")}`;
  const videos = new Map<string, FakeVideo>();
  const webhooks: { id: string; url: string; secret: string }[] = [];
  const sent: SentWebhook[] = [];
  const failures: FakeFailure[] = [];
  if (options.webhook) webhooks.push({ id: randomUUID(), url: options.webhook.url, secret: options.webhook.secret ?? randomBytes(16).toString("hex") });

  const now = () => Math.floor(Date.now() / 1000);
  const publicVideo = (video: FakeVideo) => ({
    id: video.id, status: video.status, callbackId: video.callbackId, title: video.title, test: video.test,
    createdAt: video.createdAt, lastUpdatedAt: video.lastUpdatedAt,
    ...(video.status === "complete"
      ? {
        // Signed, expiring URLs as Synthesia gives them: a new one on every read.
        download: `https://synthesia-fake.invalid/${video.id}.mp4?expires=${now() + 600}&sig=${randomBytes(6).toString("hex")}`,
        duration: "0:00:12.5",
        thumbnail: { image: `https://synthesia-fake.invalid/${video.id}.jpg?expires=${now() + 600}` },
      }
      : {}),
  });

  async function notify(video: FakeVideo, type: "video.completed" | "video.failed"): Promise<SentWebhook[]> {
    const body = JSON.stringify({ type, data: publicVideo(video) });
    const delivered: SentWebhook[] = [];
    for (const hook of webhooks) {
      const timestamp = String(now());
      const headers = { "content-type": "application/json", "synthesia-timestamp": timestamp, "synthesia-signature": synthesiaSignature(hook.secret, timestamp, body) };
      const record: SentWebhook = { url: hook.url, headers, body, status: null };
      try {
        record.status = (await fetch(hook.url, { method: "POST", headers, body, signal: AbortSignal.timeout(6000) })).status;
      } catch {
        record.status = null;
      }
      sent.push(record);
      delivered.push(record);
    }
    return delivered;
  }

  async function finish(id: string, status: "complete" | "error"): Promise<SentWebhook[]> {
    const video = videos.get(id);
    if (!video) throw new Error(`the Synthesia fake has no video ${id}`);
    video.status = status;
    video.lastUpdatedAt = now();
    return notify(video, status === "complete" ? "video.completed" : "video.failed");
  }

  function takeFailure(): Response | "hangup" | null {
    const failure = failures.shift();
    if (!failure) return null;
    if (failure.status === "hangup") return "hangup";
    if (failure.status === 429) {
      const reset = String(failure.retryAfter ?? 30);
      return error(429, failure.message ?? "Too Many Requests", { "ratelimit-limit": "60", "ratelimit-reset": reset });
    }
    return error(failure.status, failure.message ?? (failure.status === 403 ? "Forbidden - Wrong API key" : "Bad request"));
  }

  async function create(req: Request, fromTemplate: boolean): Promise<Response> {
    const body = (await req.json().catch(() => null)) as Record<string, unknown> | null;
    if (body === null || typeof body !== "object") return error(400, "Body must be JSON");
    if (fromTemplate) {
      if (typeof body.templateId !== "string" || typeof body.templateData !== "object" || body.templateData === null) {
        return error(400, "templateId and templateData are required");
      }
    } else {
      const input = body.input;
      if (!Array.isArray(input) || input.length < 1 || input.length > 25) return error(400, "input must hold 1 to 25 scenes");
      for (const [i, scene] of input.entries()) {
        const s = scene as Record<string, unknown>;
        if (typeof s.avatar !== "string" || typeof s.background !== "string") return error(400, `input[${i}]: avatar and background are required`);
        if (typeof s.scriptText !== "string") return error(400, `input[${i}]: scriptText is required`);
        if (s.scriptText.includes("[synthesia-reject]")) return error(400, `input[${i}].scriptText: the script violates the content policy`);
      }
    }
    const at = now();
    const video: FakeVideo = {
      id: randomUUID(), status: "in_progress", callbackId: typeof body.callbackId === "string" ? body.callbackId : null,
      title: typeof body.title === "string" ? body.title : null, test: body.test === true, fromTemplate,
      input: fromTemplate ? { templateId: body.templateId, templateData: body.templateData } : body.input, createdAt: at, lastUpdatedAt: at,
    };
    videos.set(video.id, video);
    if (options.autoCompleteMs !== undefined) setTimeout(() => void finish(video.id, "complete"), options.autoCompleteMs);
    return json(publicVideo(video), fromTemplate ? 201 : 200);
  }

  const handle = async (req: Request): Promise<Response> => {
    const path = new URL(req.url).pathname;
    const control = /^\/_fake\/videos\/([^/]+)\/(complete|fail)$/.exec(path);
    if (control && req.method === "POST") {
      if (!videos.has(control[1]!)) return error(404, "Video not found");
      const delivered = await finish(control[1]!, control[2] === "complete" ? "complete" : "error");
      return json({ delivered });
    }
    if (path === "/_fake/videos" && req.method === "GET") return json([...videos.values()]);
    if (path === "/_fake/fail" && req.method === "POST") {
      const { failure, count } = (await req.json()) as { failure: FakeFailure; count?: number };
      for (let i = 0; i < (count ?? 1); i++) failures.push(failure);
      return json({ queued: failures.length });
    }

    if (req.headers.get("authorization") !== apiKey) return error(403, "Forbidden - Wrong API key");
    const isWrite = req.method === "POST" || req.method === "DELETE" || req.method === "PATCH";
    if (isWrite && !path.startsWith("/v2/webhooks")) {
      const failure = takeFailure();
      if (failure === "hangup") throw new Error("hangup");
      if (failure) return failure;
    }
    if (path === "/v2/videos" && req.method === "POST") return create(req, false);
    if (path === "/v2/videos/fromTemplate" && req.method === "POST") return create(req, true);
    if (path === "/v2/videos" && req.method === "GET") return json({ videos: [...videos.values()].map(publicVideo), nextOffset: null });
    const one = /^\/v2\/videos\/([^/]+)$/.exec(path);
    if (one) {
      const video = videos.get(one[1]!);
      if (!video) return error(404, "Video not found");
      if (req.method === "GET") return json(publicVideo(video));
      if (req.method === "DELETE") {
        videos.delete(video.id);
        return new Response(null, { status: 204 });
      }
    }
    if (path === "/v2/webhooks" && req.method === "POST") {
      const body = (await req.json().catch(() => null)) as { url?: unknown; events?: unknown } | null;
      if (typeof body?.url !== "string" || !Array.isArray(body.events)) return error(400, "url and events are required");
      const hook = { id: randomUUID(), url: body.url, secret: randomBytes(16).toString("hex") };
      webhooks.push(hook);
      return json({ ...hook, status: "active", createdAt: now(), lastUpdatedAt: now() }, 201);
    }
    if (path === "/v2/webhooks" && req.method === "GET") return json({ webhooks: webhooks.map(({ secret: _s, ...h }) => h), nextOffset: null });
    return error(404, "Not found");
  };
  const fake = await startFake(async (req) => {
    try {
      return await handle(req);
    } catch {
      // "hangup": answer with a body the client cannot read as Synthesia's.
      return new Response("upstream connect error", { status: 503 });
    }
  }, port);

  return {
    ...fake,
    apiKey,
    videos,
    webhooks,
    sent,
    failNext: (failure, count = 1) => { for (let i = 0; i < count; i++) failures.push(failure); },
    completeVideo: (id) => finish(id, "complete"),
    failVideo: (id) => finish(id, "error"),
    sendEvent: (id, type) => {
      const video = videos.get(id);
      if (!video) throw new Error(`the Synthesia fake has no video ${id}`);
      return notify(video, type);
    },
  };
}
