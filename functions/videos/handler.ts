// /functions/v1/videos: renders of a tenant's video projects at Synthesia (seed 000).
//   POST   /videos               {project_id, request_key}  start a render (201; a retry with the same key replays it)
//   GET    /videos?project_id=&campaign_id=                  the caller's tenants' renders, in-progress ones re-checked
//   GET    /videos/<id>                                      one render with its status fresh from Synthesia and, once
//                                                            complete, download links valid for a short while
//   DELETE /videos/<id>                                      deletes the video at Synthesia too
//   POST   /videos/reconcile                                 service role only: re-checks renders the job flagged
// The render row is written before Synthesia is called (so the webhook can match our id in callbackId
// even if it arrives first) and the Synthesia call is counted against the per-key write limits first.
// Download links expire: they are fetched on each GET of one render and never stored.
import { z } from "zod";
import type { UserClaims, VerifyCaller } from "../_shared/auth.ts";
import { asCaller, asServiceRole, requestContext, type RequestContext, type Sql } from "../_shared/db.ts";
import { ApiError, json, methodNotAllowed, readJson, validationError, withErrors, type Handler } from "../_shared/http.ts";
import type { SynthesiaClient, SynthesiaResult, SynthesiaVideo } from "../_shared/synthesia.ts";

export const createRenderRequest = z.strictObject({
  project_id: z.guid("must be a video project id (a UUID)"),
  request_key: z.string().trim().min(1, "cannot be empty").max(200),
});

const listQuery = z.strictObject({
  project_id: z.guid().optional(),
  campaign_id: z.guid().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

/** What Synthesia accepts in a scene (research §1.3), checked before any call so the user gets a 400 naming the field. */
const scene = z.strictObject({
  script_text: z.string().trim().min(1, "a scene needs a script").max(10_000),
  avatar: z.string().min(1).max(200).optional(),
  background: z.string().min(1).max(500).optional(),
  voice: z.guid().optional(),
});

const projectContent = z.object({
  title: z.string(),
  description: z.string().nullable(),
  scenes: z.array(scene).min(1).max(25, "Synthesia renders at most 25 scenes").nullable(),
  template_id: z.string().nullable(),
  template_data: z.record(z.string(), z.union([z.string().max(10_000), z.number(), z.boolean()])).nullable(),
  avatar: z.string().nullable(),
  background: z.string().nullable(),
  voice: z.string().nullable(),
  aspect_ratio: z.string(),
  visibility: z.string(),
  test: z.boolean(),
});
type ProjectContent = z.infer<typeof projectContent>;

export interface WriteLimits {
  perMinute: number;
  perHour: number;
  perDay: number;
}

/** Synthesia's write limits on the Creator plan (research §1.9). */
export const synthesiaWriteLimits: WriteLimits = { perMinute: 60, perHour: 300, perDay: 1000 };

export interface VideosDeps {
  verifyCaller: VerifyCaller;
  sql: Sql;
  /** Null when no API key is configured: rendering answers 503 instead of crashing. */
  synthesia: SynthesiaClient | null;
  /** The key the reconciliation scheduler sends as Bearer (SUPABASE_SERVICE_ROLE_KEY). */
  serviceRoleKey: string;
  limits?: WriteLimits;
  log?: (message: string, detail: unknown) => void;
}

interface RenderRow {
  id: string;
  project_id: string;
  tenant_id: string;
  requested_by: string | null;
  synthesia_video_id: string | null;
  status: "pending" | "in_progress" | "complete" | "failed" | "deleted";
  test: boolean;
  hold_id: string | null;
  error_code: string | null;
  error_status: number | null;
  error_message: string | null;
  duration: string | null;
  created_at: Date;
  finished_at: Date | null;
  last_checked_at: Date | null;
}

/** Our API's view of a render; links only when just fetched from Synthesia. */
function renderBody(row: RenderRow, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: row.id,
    project_id: row.project_id,
    tenant_id: row.tenant_id,
    status: row.status,
    synthesia_video_id: row.synthesia_video_id,
    test: row.test,
    hold_id: row.hold_id,
    duration: row.duration,
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message },
    created_at: row.created_at,
    finished_at: row.finished_at,
    ...extra,
  };
}

function synthesiaBody(renderId: string, project: ProjectContent): Record<string, unknown> {
  const common = {
    test: project.test,
    title: project.title,
    ...(project.description ? { description: project.description } : {}),
    visibility: project.visibility,
    callbackId: renderId,
  };
  if (project.template_id !== null) {
    return { ...common, templateId: project.template_id, templateData: project.template_data ?? {} };
  }
  return {
    ...common,
    aspectRatio: project.aspect_ratio,
    input: project.scenes!.map((s) => {
      const voice = s.voice ?? project.voice;
      return {
        scriptText: s.script_text,
        avatar: s.avatar ?? project.avatar ?? "anna_costume1_cameraA",
        background: s.background ?? project.background ?? "off_white",
        ...(voice ? { avatarSettings: { voice } } : {}),
      };
    }),
  };
}

const notConfigured = () =>
  new ApiError(503, "video.provider_misconfigured", "video rendering is not available right now; an administrator has been notified");

/** The error a caller gets for a Synthesia answer other than ok (not_found is the caller's to decide). */
function synthesiaError(result: Exclude<SynthesiaResult<unknown>, { outcome: "ok" }>): ApiError {
  switch (result.outcome) {
    case "bad_request":
      return new ApiError(400, "video.synthesia_rejected", `Synthesia refused the video: ${result.message}`);
    case "forbidden":
      return notConfigured();
    case "rate_limited":
      return new ApiError(429, "video.rate_limited", `Synthesia is busy; try again in ${result.retryAfterSeconds} seconds`,
        { retry_after_seconds: result.retryAfterSeconds }, { "retry-after": String(result.retryAfterSeconds) });
    case "not_found":
      return new ApiError(404, "video.not_found", "Synthesia no longer has this video");
    case "unavailable":
      return new ApiError(502, "video.provider_unavailable", "Synthesia could not be reached; try again later");
  }
}

export function createVideosHandler(deps: VideosDeps): Handler {
  const { sql, synthesia, limits = synthesiaWriteLimits, log = (message, detail) => console.error(message, detail) } = deps;

  /** Counts one write against the key's limits, or throws 429 with how long to wait. */
  async function takeWriteSlot(client: SynthesiaClient, ctx: RequestContext, onRefused: () => Promise<void>): Promise<void> {
    const keyId = await client.keyId();
    const [slot] = await asServiceRole(sql, ctx, (tx) => tx<{ allowed: boolean; retry_after_seconds: number | null; limit_name: string | null }[]>`
      select * from private.synthesia_write_take(${keyId}, ${limits.perMinute}, ${limits.perHour}, ${limits.perDay})`);
    if (slot?.allowed) return;
    await onRefused();
    const wait = slot?.retry_after_seconds ?? 60;
    throw new ApiError(429, "video.rate_limited", `the Synthesia limit per ${slot?.limit_name ?? "minute"} is reached; try again in ${wait} seconds`,
      { retry_after_seconds: wait, limit: slot?.limit_name }, { "retry-after": String(wait) });
  }

  /** Applies what Synthesia says about a render now; the stored row when Synthesia cannot say. */
  async function refresh(row: RenderRow, ctx: RequestContext): Promise<{ row: RenderRow; video: SynthesiaVideo | null }> {
    if (synthesia === null || row.synthesia_video_id === null || row.status === "failed" || row.status === "deleted") return { row, video: null };
    const fresh = await synthesia.getVideo(row.synthesia_video_id);
    if (fresh.outcome === "forbidden") await recordMisconfigured(row.id, fresh.status, fresh.message, ctx);
    if (fresh.outcome !== "ok" && fresh.outcome !== "not_found") return { row, video: null };
    const status = fresh.outcome === "ok" ? fresh.value.status : "deleted";
    const duration = fresh.outcome === "ok" ? fresh.value.duration ?? null : null;
    const [applied] = await asServiceRole(sql, ctx, (tx) => tx<RenderRow[]>`
      select * from private.video_apply_status(${row.id}::uuid, ${status}, ${duration}, null)`);
    return { row: applied ?? row, video: fresh.outcome === "ok" ? fresh.value : null };
  }

  async function recordMisconfigured(renderId: string, status: number, message: string, ctx: RequestContext): Promise<void> {
    log("Synthesia refused our API key", { status, message });
    await asServiceRole(sql, ctx, (tx) => tx`select private.synthesia_misconfigured(${renderId}::uuid, ${status}, ${message})`);
  }

  async function create(req: Request, claims: UserClaims, ctx: RequestContext): Promise<Response> {
    const body = createRenderRequest.parse(await readJson(req));
    const begun = await asCaller(sql, claims, ctx, async (tx) => {
      const [started] = await tx<{ render_id: string; replayed: boolean }[]>`
        select render_id, replayed from private.video_render_begin(${body.project_id}::uuid, ${body.request_key})`;
      if (started!.replayed) return { renderId: started!.render_id, replayed: true as const };
      const [project] = await tx`
        select title, description, scenes, template_id::text, template_data, avatar, background, voice::text,
               aspect_ratio::text, visibility::text, test
          from public.video_projects where id = ${body.project_id}`;
      const content = projectContent.safeParse(project);
      if (!content.success) {
        // Thrown inside the transaction: the render and its hold are rolled back with it.
        const invalid = validationError(content.error);
        throw new ApiError(400, "video.project_invalid", `the project cannot be rendered: ${invalid.message.replace(/^invalid request body: /, "")}`, invalid.details);
      }
      return { renderId: started!.render_id, replayed: false as const, content: content.data };
    });

    if (begun.replayed) {
      const [row] = await asCaller(sql, claims, ctx, (tx) => tx<RenderRow[]>`select * from public.video_renders where id = ${begun.renderId}`);
      if (row!.status === "pending") throw new ApiError(409, "request.in_progress", "this render is still being started; retry shortly");
      if (row!.status === "failed" && row!.error_status !== null) {
        throw new ApiError(row!.error_status, row!.error_code!, row!.error_message ?? "the render failed", { render_id: row!.id, replayed: true });
      }
      return json(renderBody(row!, { replayed: true }));
    }

    const renderId = begun.renderId;
    const fail = async (code: string, status: number, message: string) => {
      await asServiceRole(sql, ctx, (tx) => tx`
        select 1 from private.video_render_started(${renderId}::uuid, null, null, ${code}, ${status}, ${message})`);
    };
    const abandon = async () => {
      await asServiceRole(sql, ctx, (tx) => tx`select private.video_render_abandon(${renderId}::uuid)`);
    };
    if (synthesia === null) {
      await recordMisconfigured(renderId, 0, "SYNTHESIA_API_KEY is not configured", ctx);
      const error = notConfigured();
      await fail(error.code, error.status, error.message);
      throw error;
    }
    await takeWriteSlot(synthesia, ctx, abandon);

    const result = await synthesia.createVideo(synthesiaBody(renderId, begun.content), begun.content.template_id !== null);
    if (result.outcome === "ok") {
      const [row] = await asServiceRole(sql, ctx, (tx) => tx<RenderRow[]>`
        select * from private.video_render_started(${renderId}::uuid, ${result.value.id}, ${result.value.status})`);
      return json(renderBody(row!, { replayed: false }), 201);
    }
    if (result.outcome === "rate_limited") {
      await abandon();
      throw synthesiaError(result);
    }
    if (result.outcome === "forbidden") await recordMisconfigured(renderId, result.status, result.message, ctx);
    else if (result.outcome === "unavailable" || result.outcome === "not_found") log("Synthesia create failed", result);
    const error = synthesiaError(result.outcome === "not_found" ? { outcome: "unavailable", message: "404 on create" } : result);
    await fail(error.code, error.status, error.message);
    throw error;
  }

  async function list(url: URL, claims: UserClaims, ctx: RequestContext): Promise<Response> {
    const parsed = listQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success) throw validationError(parsed.error, "query");
    const { project_id, campaign_id, limit } = parsed.data;
    const rows = await asCaller(sql, claims, ctx, (tx) => tx<RenderRow[]>`
      select r.* from public.video_renders r
        join public.video_projects p on p.id = r.project_id
       where (${project_id ?? null}::uuid is null or r.project_id = ${project_id ?? null}::uuid)
         and (${campaign_id ?? null}::uuid is null or p.campaign_id = ${campaign_id ?? null}::uuid)
       order by r.created_at desc
       limit ${limit}`);
    // Fresh status for a few renders still in progress not checked in the last 30 s; the rest are
    // kept current by the webhook and the reconciliation job (Synthesia allows 60 reads a minute).
    const due = rows.filter((r) => r.status === "in_progress" && (r.last_checked_at === null || Date.now() - r.last_checked_at.getTime() > 30_000)).slice(0, 5);
    const refreshed = new Map((await Promise.all(due.map((r) => refresh(r, ctx)))).map(({ row }) => [row.id, row]));
    return json({ videos: rows.map((r) => renderBody(refreshed.get(r.id) ?? r)) });
  }

  async function getOne(id: string, claims: UserClaims, ctx: RequestContext): Promise<Response> {
    const [row] = await asCaller(sql, claims, ctx, (tx) => tx<RenderRow[]>`select * from private.video_render_for(${id}::uuid, false)`);
    const { row: fresh, video } = await refresh(row!, ctx);
    const links = video?.status === "complete" && video.download
      ? { download: { url: video.download, thumbnail: video.thumbnail?.image ?? null, note: "signed by Synthesia and short-lived: fetch this video again for a new link" } }
      : {};
    return json(renderBody(fresh, { fresh: video !== null, ...links }));
  }

  async function remove(id: string, claims: UserClaims, ctx: RequestContext): Promise<Response> {
    const [row] = await asCaller(sql, claims, ctx, (tx) => tx<RenderRow[]>`select * from private.video_render_for(${id}::uuid, true)`);
    if (row!.status === "deleted") return json(renderBody(row!));
    if (row!.synthesia_video_id === null) {
      throw new ApiError(409, "video.not_at_synthesia", row!.status === "pending" ? "this render is still being started; retry shortly" : "this render never reached Synthesia; nothing to delete");
    }
    if (synthesia === null) throw notConfigured();
    await takeWriteSlot(synthesia, ctx, async () => {});
    const result = await synthesia.deleteVideo(row!.synthesia_video_id);
    if (result.outcome === "forbidden") await recordMisconfigured(row!.id, result.status, result.message, ctx);
    if (result.outcome !== "ok" && result.outcome !== "not_found") throw synthesiaError(result);
    const [deleted] = await asServiceRole(sql, ctx, (tx) => tx<RenderRow[]>`
      select * from private.video_apply_status(${row!.id}::uuid, 'deleted', null, null)`);
    return json(renderBody(deleted!));
  }

  async function reconcile(req: Request, ctx: RequestContext): Promise<Response> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
    if (bearer === undefined || bearer !== deps.serviceRoleKey) {
      throw new ApiError(403, "video.reconcile_forbidden", "only the scheduler (with the service role key) reconciles videos");
    }
    const due = await asServiceRole(sql, ctx, (tx) => tx<RenderRow[]>`select * from private.video_renders_to_recheck(50)`);
    const results = await Promise.all(due.map((row) => refresh(row, ctx)));
    return json({
      checked: due.length,
      changed: results.filter(({ row }, i) => row.status !== due[i]!.status).map(({ row }) => ({ id: row.id, status: row.status })),
    });
  }

  return withErrors(async (req) => {
    const url = new URL(req.url);
    const route = /\/videos(?:\/([^/]+))?\/?$/.exec(url.pathname);
    const ctx = requestContext(req);
    const sub = route?.[1];
    if (sub === "reconcile") {
      if (req.method !== "POST") throw methodNotAllowed(req, ["POST"]);
      return reconcile(req, ctx);
    }
    if (sub === undefined) {
      if (req.method !== "POST" && req.method !== "GET") throw methodNotAllowed(req, ["GET", "POST"]);
      const claims = await deps.verifyCaller(req);
      return req.method === "POST" ? create(req, claims, ctx) : list(url, claims, ctx);
    }
    if (req.method !== "GET" && req.method !== "DELETE") throw methodNotAllowed(req, ["GET", "DELETE"]);
    if (!z.guid().safeParse(sub).success) throw new ApiError(404, "video.not_found", "no such video");
    const claims = await deps.verifyCaller(req);
    return req.method === "GET" ? getOne(sub, claims, ctx) : remove(sub, claims, ctx);
  });
}
