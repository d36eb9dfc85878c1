// Supabase Auth's Send SMS hook (research supabase-platform §4, external-apis §4): instead of sending an
// SMS one-time code itself, Auth POSTs it here, signed with Standard Webhooks. We check the signature,
// hold each phone to its hourly and daily caps, write the text in the user's language and send it
// through Twilio, recording every delivery (never the code) in private.sms_deliveries.
//
// Auth reads an error object only from an HTTP 200 and insists on JSON for every answer, so failures it
// should show the user are 200 + {"error": {"http_code", "message"}}. Requests that are not Auth's (bad
// signature, bad payload) get our usual envelope with 401/400; Auth would turn those into a 500.
import { z } from "zod";
import { asServiceRole, requestContext, type RequestContext, type Sql } from "../_shared/db.ts";
import type { GetEnv } from "../_shared/env.ts";
import { ApiError, errorResponse, json, methodNotAllowed, validationError, type Handler } from "../_shared/http.ts";
import { createWebhookVerifier, parseWebhookSecrets, WebhookVerificationError } from "../_shared/standard-webhooks.ts";
import type { SmsSendResult, TwilioClient } from "../_shared/twilio.ts";
import { isLanguage, messagesFor, type Language, type Messages, type NumberProblem } from "./messages.ts";

export interface SmsCaps {
  /** Sends per phone in any rolling hour. */
  hourly: number;
  /** Sends per phone in any rolling 24 hours. */
  daily: number;
}

export interface SendSmsDeps {
  /** SEND_SMS_HOOK_SECRET: `v1,whsec_<base64>`, several joined by `|` while rotating. */
  hookSecrets: string;
  sql: Sql;
  twilio: TwilioClient;
  caps: SmsCaps;
  now?: () => Date;
  logError?: (message: string, detail: unknown) => void;
}

const authPhone = z.string().regex(/^\+?[1-9]\d{6,14}$/, "must be an international phone number");
const optionalPhone = z.union([z.literal(""), authPhone]).optional();

/**
 * The part of Auth's payload we use. Auth writes phones as digits without "+"; sms.phone is where the
 * code goes (the new number on a phone change), user.phone otherwise. Other keys are ignored.
 */
export const sendSmsEvent = z
  .object({
    user: z.object({
      id: z.uuid(),
      phone: optionalPhone,
      user_metadata: z.record(z.string(), z.unknown()).nullish(),
    }),
    sms: z.object({
      otp: z.string().regex(/^\d{6,10}$/, "must be 6 to 10 digits"),
      sms_type: z.string().optional(),
      phone: optionalPhone,
    }),
  })
  .transform((event, ctx) => {
    const phone = event.sms.phone || event.user.phone;
    if (!phone) {
      ctx.addIssue({ code: "custom", message: "no phone number to send the code to", path: ["sms", "phone"] });
      return z.NEVER;
    }
    const signupLanguage = event.user.user_metadata?.language;
    return {
      userId: event.user.id,
      phone: `+${phone.replace(/^\+/, "")}`,
      otp: event.sms.otp,
      smsType: event.sms.sms_type ?? null,
      signupLanguage: isLanguage(signupLanguage) ? signupLanguage : null,
    };
  });

export type SendSmsEvent = z.output<typeof sendSmsEvent>;

/** Twilio errors that are the number's, so the user can act on them (research external-apis §2.4). */
const numberProblems: Partial<Record<number, NumberProblem>> = {
  21211: "invalid",
  21614: "not_mobile",
  21610: "unsubscribed",
  21612: "unreachable",
  21408: "unreachable",
};

const SERVER_ERROR_MESSAGE = "The SMS could not be sent because of a server error. Try again later.";

interface BeganDelivery {
  delivery_id: string;
  outcome: "send" | "already_sent" | "in_progress" | "capped";
  retry_at: Date | null;
}

/** An error Auth passes on to the app as `http_code` and `message`. */
function hookError(httpCode: number, message: string): Response {
  return json({ error: { http_code: httpCode, message } });
}

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function createSendSmsHandler(deps: SendSmsDeps): Handler {
  const now = deps.now ?? (() => new Date());
  const logError = deps.logError ?? ((message, detail) => console.error(message, detail));
  const verify = createWebhookVerifier(deps.hookSecrets, { now });
  // Keyed, because a bare hash of a 6-digit code is reversed by trying a million codes. The first hook
  // secret: a rotation could split at most the retries in flight at that moment.
  const fingerprintKey = crypto.subtle.importKey("raw", parseWebhookSecrets(deps.hookSecrets)[0]!, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);

  async function fingerprint(phone: string, otp: string): Promise<string> {
    return toHex(await crypto.subtle.sign("HMAC", await fingerprintKey, new TextEncoder().encode(`${phone}:${otp}`)));
  }

  async function readEvent(req: Request): Promise<SendSmsEvent> {
    const payload = new Uint8Array(await req.arrayBuffer());
    try {
      await verify(req.headers, payload);
    } catch (error) {
      if (error instanceof WebhookVerificationError) {
        throw new ApiError(401, "webhook.invalid_signature", error.message, { reason: error.reason });
      }
      throw error;
    }
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      throw new ApiError(400, "request.malformed_json", "the request body is not valid JSON");
    }
    const event = sendSmsEvent.safeParse(body);
    if (!event.success) throw validationError(event.error);
    return event.data;
  }

  async function recordResult(ctx: RequestContext, deliveryId: string, result: SmsSendResult): Promise<void> {
    const [status, sid, code, message] = result.outcome === "accepted"
      ? ["sent", result.sid, null, null]
      : result.outcome === "rejected"
        ? ["failed", result.sid, result.code, result.message]
        : ["failed", null, null, result.message];
    try {
      await asServiceRole(deps.sql, ctx, (tx) => tx`
        select private.sms_delivery_finish(
          p_delivery_id => ${deliveryId}, p_status => ${status}, p_provider_message_sid => ${sid},
          p_provider_error_code => ${code}, p_provider_error_message => ${message}, p_at => ${now()})`);
    } catch (error) {
      // Twilio has already decided; the user's answer must say what happened to the SMS, not to the row.
      logError("send-sms: could not record the delivery result", error);
    }
  }

  function answer(result: SmsSendResult, text: Messages): Response {
    if (result.outcome === "accepted") return json({});
    const problem = result.outcome === "rejected" && result.code !== null ? numberProblems[result.code] : undefined;
    if (problem) return hookError(400, text.numberProblem[problem]);
    logError("send-sms: Twilio did not take the message", result);
    return hookError(502, text.unavailable);
  }

  async function deliver(ctx: RequestContext, event: SendSmsEvent): Promise<Response> {
    const key = await fingerprint(event.phone, event.otp);
    const at = now();
    const { language, delivery } = await asServiceRole(deps.sql, ctx, async (tx) => {
      const [profile] = await tx<{ language: string }[]>`select language from public.profiles where id = ${event.userId}`;
      // A user signing up is not committed yet when Auth calls us: then only the metadata knows.
      const stored = profile?.language;
      const language: Language = isLanguage(stored) ? stored : event.signupLanguage ?? "en";
      const [delivery] = await tx<BeganDelivery[]>`
        select delivery_id, outcome, retry_at
          from private.sms_delivery_begin(
            p_user_id => ${event.userId}, p_phone => ${event.phone}, p_fingerprint => ${key},
            p_sms_type => ${event.smsType}, p_language => ${language},
            p_hourly_cap => ${deps.caps.hourly}, p_daily_cap => ${deps.caps.daily}, p_at => ${at})`;
      if (!delivery) throw new Error("private.sms_delivery_begin returned no row");
      return { language, delivery };
    });

    const text = messagesFor(language);
    switch (delivery.outcome) {
      case "already_sent":
      case "in_progress":
        // Auth's retry of a code that went out, or is going out, on an earlier attempt.
        return json({});
      case "capped": {
        const waitMs = (delivery.retry_at?.getTime() ?? at.getTime()) - at.getTime();
        return hookError(429, text.capped(Math.max(1, Math.ceil(waitMs / 60_000))));
      }
      case "send": {
        const result = await deps.twilio.sendSms(event.phone, text.otp(event.otp));
        await recordResult(ctx, delivery.delivery_id, result);
        return answer(result, text);
      }
    }
  }

  return async (req) => {
    try {
      if (req.method !== "POST") throw methodNotAllowed(req, ["POST"]);
      return await deliver(requestContext(req), await readEvent(req));
    } catch (error) {
      if (error instanceof ApiError) return errorResponse(error);
      logError("send-sms: unexpected error", error);
      return hookError(500, SERVER_ERROR_MESSAGE);
    }
  };
}

function positiveInteger(get: GetEnv, name: string, fallback: number): number {
  const value = get(name);
  if (value === undefined || value === "") return fallback;
  if (!/^[1-9]\d{0,5}$/.test(value)) throw new Error(`${name} must be a positive whole number`);
  return Number(value);
}

/** SMS_HOURLY_CAP and SMS_DAILY_CAP, 5 and 10 unless set. */
export function smsCapsFromEnv(get: GetEnv): SmsCaps {
  return { hourly: positiveInteger(get, "SMS_HOURLY_CAP", 5), daily: positiveInteger(get, "SMS_DAILY_CAP", 10) };
}
