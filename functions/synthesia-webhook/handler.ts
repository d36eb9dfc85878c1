// POST /functions/v1/synthesia-webhook: Synthesia's video.completed / video.failed events (research
// §1.8). The signature is checked over the raw bytes before anything is parsed; stale timestamps are
// refused so a captured delivery cannot be replayed later. Synthesia gives events no id, so an event
// is its type + video id: a retried or replayed delivery is acknowledged and changes nothing, and a
// late event never moves a finished render back (private.video_apply_status). One short transaction,
// well inside Synthesia's 6 s; an unknown video is acknowledged too, or Synthesia would retry in vain.
import { z } from "zod";
import { asServiceRole, requestContext, type Sql } from "../_shared/db.ts";
import { ApiError, json, methodNotAllowed, withErrors, type Handler } from "../_shared/http.ts";
import { verifySynthesiaSignature } from "../_shared/synthesia.ts";

const event = z.object({
  type: z.string(),
  data: z.object({ id: z.string().min(1).max(200), status: z.string().optional(), callbackId: z.string().nullish() }).passthrough(),
});

const handledTypes = new Set(["video.completed", "video.failed"]);

export interface SynthesiaWebhookDeps {
  /** The secret Synthesia returned when the webhook was registered (SYNTHESIA_WEBHOOK_SECRET). */
  secret: string;
  sql: Sql;
  nowSeconds?: () => number;
  toleranceSeconds?: number;
}

export function createSynthesiaWebhookHandler({ secret, sql, nowSeconds = () => Math.floor(Date.now() / 1000), toleranceSeconds = 600 }: SynthesiaWebhookDeps): Handler {
  return withErrors(async (req) => {
    if (req.method !== "POST") throw methodNotAllowed(req, ["POST"]);
    const raw = await req.text();
    const check = await verifySynthesiaSignature(secret, req.headers, raw, nowSeconds(), toleranceSeconds);
    if (check === "stale") throw new ApiError(401, "webhook.stale_timestamp", "Synthesia-Timestamp is too far from now");
    if (check !== "ok") throw new ApiError(401, "webhook.invalid_signature", "the Synthesia-Signature does not match this body");
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new ApiError(400, "request.malformed_json", "the request body is not valid JSON");
    }
    const parsed = event.safeParse(body);
    if (!parsed.success) throw new ApiError(400, "webhook.invalid_event", "expected {type, data: {id, ...}}");
    if (!handledTypes.has(parsed.data.type)) return json({ outcome: "ignored" });
    const [applied] = await asServiceRole(sql, requestContext(req), (tx) => tx<{ outcome: string; render_id: string | null; status: string | null }[]>`
      select * from private.synthesia_webhook_apply(${`${parsed.data.type}:${parsed.data.data.id}`}, ${tx.json(body as never)})`);
    return json(applied);
  });
}
