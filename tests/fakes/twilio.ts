// Fake of Twilio Programmable Messaging (research external-apis §2): the Messages resource with Basic
// auth, Twilio's magic test numbers and error bodies, and status callbacks signed with
// X-Twilio-Signature exactly as Twilio signs them (which real Twilio test credentials never send).
// Tests read what was "sent" through GET /_fake/messages.
import { createHmac, randomBytes } from "node:crypto";
import { startFake, type Fake } from "./server.ts";

export interface TwilioFakeOptions {
  accountSid?: string;
  authToken?: string;
  /** Send status callbacks (queued → sent → delivered, or → failed) to each message's StatusCallback. */
  statusCallbacks?: boolean;
}

export interface FakeMessage {
  sid: string;
  account_sid: string;
  messaging_service_sid: string | null;
  to: string;
  from: string | null;
  body: string;
  status: string;
  direction: "outbound-api";
  num_segments: string;
  num_media: string;
  price: null;
  price_unit: "USD";
  error_code: number | null;
  error_message: string | null;
  date_created: string;
  date_updated: string;
  date_sent: string | null;
  api_version: "2010-04-01";
  uri: string;
  subresource_uris: Record<string, string>;
}

export interface TwilioFake extends Fake {
  accountSid: string;
  authToken: string;
  messages: FakeMessage[];
}

/** Twilio's signature: HMAC-SHA1(auth token, URL + each sorted param name immediately followed by its value). */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params).sort().reduce((acc, key) => acc + key + params[key], url);
  return createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

const hex = (bytes: number) => randomBytes(bytes).toString("hex");

function twilioError(status: number, code: number, message: string): Response {
  return Response.json({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, { status });
}

/** Twilio's magic `To` numbers for test credentials, plus 21608 which Twilio has none for. */
const magicTo: Record<string, [number, string]> = {
  "+15005550001": [21211, "The 'To' number +15005550001 is not a valid phone number."],
  "+15005550002": [21612, "The 'To' phone number is not currently reachable via SMS."],
  "+15005550003": [21408, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number."],
  "+15005550004": [21610, "Attempt to send to unsubscribed recipient"],
  "+15005550009": [21614, "'To' number is not a valid mobile number"],
  "+15005550010": [21608, "The number is unverified. Trial accounts cannot send messages to unverified numbers."],
};

/** `To` numbers the fake accepts but whose delivery then fails asynchronously (30003: unreachable). */
export const UNDELIVERABLE_TO = "+15005550030";

export async function startTwilioFake(options: TwilioFakeOptions = {}, port = 0): Promise<TwilioFake> {
  const accountSid = options.accountSid ?? `AC${hex(16)}`;
  const authToken = options.authToken ?? hex(16);
  const messages: FakeMessage[] = [];
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`;

  async function callback(url: string, message: FakeMessage, status: string): Promise<void> {
    const params: Record<string, string> = {
      AccountSid: accountSid,
      ApiVersion: "2010-04-01",
      From: message.from ?? "",
      MessageSid: message.sid,
      MessageStatus: status,
      SmsSid: message.sid,
      SmsStatus: status,
      To: message.to,
      ...(message.messaging_service_sid ? { MessagingServiceSid: message.messaging_service_sid } : {}),
      ...(status === "failed" || status === "undelivered" ? { ErrorCode: "30003" } : {}),
    };
    await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilioSignature(authToken, url, params) },
      body: new URLSearchParams(params),
    }).catch(() => undefined);
  }

  const fake = await startFake(async (req) => {
    const url = new URL(req.url);
    if (req.method === "GET" && url.pathname === "/_fake/messages") return Response.json(messages);
    const path = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages(?:\/([^/]+))?\.json$/.exec(url.pathname);
    if (!path) return twilioError(404, 20404, "The requested resource was not found");
    if (req.headers.get("authorization") !== expectedAuth || path[1] !== accountSid) {
      return twilioError(401, 20003, "Authentication Error - invalid username");
    }
    if (req.method === "GET" && path[2]) {
      const found = messages.find((m) => m.sid === path[2]);
      return found ? Response.json(found) : twilioError(404, 20404, `The requested resource ${url.pathname} was not found`);
    }
    if (req.method !== "POST" || path[2]) return twilioError(405, 20004, "Method not allowed");

    const form = new URLSearchParams(await req.text());
    const to = form.get("To") ?? "";
    const from = form.get("From");
    const service = form.get("MessagingServiceSid");
    const body = form.get("Body") ?? "";
    if (to === "") return twilioError(400, 21604, "A 'To' phone number is required.");
    if (!/^\+[1-9]\d{6,14}$/.test(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!from && !service) return twilioError(400, 21603, "A 'From' phone number is required.");
    if (body === "") return twilioError(400, 21602, "Message body is required.");
    if (body.length > 1600) return twilioError(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
    const magic = magicTo[to];
    if (magic) return twilioError(400, magic[0], magic[1]);

    const now = new Date().toUTCString();
    const sid = `SM${hex(16)}`;
    const message: FakeMessage = {
      sid,
      account_sid: accountSid,
      messaging_service_sid: service,
      to,
      from,
      body,
      status: service ? "accepted" : "queued",
      direction: "outbound-api",
      num_segments: String(Math.max(1, Math.ceil(body.length / 160))),
      num_media: "0",
      price: null,
      price_unit: "USD",
      error_code: null,
      error_message: null,
      date_created: now,
      date_updated: now,
      date_sent: null,
      api_version: "2010-04-01",
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
      subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
    };
    messages.push(message);
    const statusCallback = form.get("StatusCallback");
    if (options.statusCallbacks !== false && statusCallback) {
      const final = to === UNDELIVERABLE_TO ? "failed" : "delivered";
      void (async () => {
        for (const status of ["sent", final]) {
          Object.assign(message, { status, date_updated: new Date().toUTCString() });
          if (status === "failed") Object.assign(message, { error_code: 30003, error_message: "Unreachable destination handset" });
          await callback(statusCallback, message, status);
        }
      })();
    }
    return Response.json({ ...message }, { status: 201 });
  }, port);

  return { ...fake, accountSid, authToken, messages };
}
