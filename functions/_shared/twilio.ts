// Twilio Programmable Messaging over fetch (research external-apis §2), instead of the `twilio` package,
// to keep function bundles small. The base URL is configurable so tests and the local stack can point it
// at the fake in tests/fakes/twilio.ts.
import { z } from "zod";
import { requireEnv, type GetEnv } from "./env.ts";

export interface TwilioConfig {
  /** https://api.twilio.com, or a fake's URL. */
  apiUrl: string;
  accountSid: string;
  authToken: string;
  /** A Messaging Service picks the sender itself; otherwise one of our numbers sends. */
  sender: { messagingServiceSid: string } | { from: string };
  /** Auth gives a hook 5 s in all; a hung Twilio call must not use them up. */
  timeoutMs?: number;
}

export type SmsSendResult =
  /** Twilio took the message (queued, accepted, sending, sent...); delivery happens later. */
  | { outcome: "accepted"; sid: string; status: string }
  /** Twilio answered and refused it, or created it already failed. */
  | { outcome: "rejected"; httpStatus: number; code: number | null; message: string; moreInfo: string | null; sid: string | null }
  /** No usable answer: network error, timeout, or a body that is not Twilio's. */
  | { outcome: "unavailable"; message: string };

export interface TwilioClient {
  sendSms(to: string, body: string): Promise<SmsSendResult>;
}

const DEFAULT_TIMEOUT_MS = 3500;

const messageResource = z.object({
  sid: z.string(),
  status: z.string(),
  error_code: z.number().nullish(),
  error_message: z.string().nullish(),
});

const errorBody = z.object({
  code: z.number().nullish(),
  message: z.string(),
  more_info: z.string().nullish(),
});

/**
 * Statuses of a created message that mean it will never arrive. Anything else is on its way: with a
 * Messaging Service the first status is `accepted`, not `queued`.
 */
const deadStatuses = new Set(["failed", "undelivered"]);

export function createTwilioClient(config: TwilioConfig): TwilioClient {
  const url = `${config.apiUrl.replace(/\/+$/, "")}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
  const authorization = `Basic ${btoa(`${config.accountSid}:${config.authToken}`)}`;
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return {
    async sendSms(to, body) {
      const form = new URLSearchParams({ To: to, Body: body });
      if ("messagingServiceSid" in config.sender) form.set("MessagingServiceSid", config.sender.messagingServiceSid);
      else form.set("From", config.sender.from);

      let response: Response;
      let text: string;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: { authorization, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
          body: form,
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await response.text();
      } catch (error) {
        return { outcome: "unavailable", message: `Twilio unreachable: ${error instanceof Error ? error.message : String(error)}` };
      }

      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return { outcome: "unavailable", message: `Twilio answered ${response.status} without JSON` };
      }

      if (response.status === 201 || response.status === 200) {
        const message = messageResource.safeParse(parsed);
        if (!message.success) return { outcome: "unavailable", message: `Twilio answered ${response.status} with an unexpected body` };
        const { sid, status } = message.data;
        if (!deadStatuses.has(status)) return { outcome: "accepted", sid, status };
        return {
          outcome: "rejected",
          httpStatus: response.status,
          code: message.data.error_code ?? null,
          message: message.data.error_message ?? `message ${status}`,
          moreInfo: null,
          sid,
        };
      }

      const error = errorBody.safeParse(parsed);
      if (!error.success) return { outcome: "unavailable", message: `Twilio answered ${response.status} with an unexpected body` };
      return {
        outcome: "rejected",
        httpStatus: response.status,
        code: error.data.code ?? null,
        message: error.data.message,
        moreInfo: error.data.more_info ?? null,
        sid: null,
      };
    },
  };
}

/**
 * TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_API_URL (default https://api.twilio.com), and the sender:
 * TWILIO_MESSAGING_SERVICE_SID, or TWILIO_FROM_NUMBER when no Messaging Service is used.
 */
export function twilioClientFromEnv(get: GetEnv): TwilioClient {
  const messagingServiceSid = get("TWILIO_MESSAGING_SERVICE_SID");
  const from = get("TWILIO_FROM_NUMBER");
  let sender: TwilioConfig["sender"];
  if (messagingServiceSid) sender = { messagingServiceSid };
  else if (from) sender = { from };
  else throw new Error("set TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER");
  return createTwilioClient({
    apiUrl: get("TWILIO_API_URL") || "https://api.twilio.com",
    accountSid: requireEnv(get, "TWILIO_ACCOUNT_SID"),
    authToken: requireEnv(get, "TWILIO_AUTH_TOKEN"),
    sender,
  });
}
