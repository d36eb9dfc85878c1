// The send-sms Auth hook against the real database and the Twilio fake: signed requests as Supabase Auth
// sends them, the text in the user's language, per-phone caps, Auth's retries, and every way Twilio can
// fail. Every answer must be JSON (Auth refuses anything else), which call() checks each time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import twilio from "twilio";
import { connect } from "../../functions/_shared/db.ts";
import { webhookHeaders } from "../../functions/_shared/standard-webhooks.ts";
import { createTwilioClient, type TwilioClient, type TwilioConfig } from "../../functions/_shared/twilio.ts";
import { createSendSmsHandler, smsCapsFromEnv, type SendSmsDeps } from "../../functions/send-sms/handler.ts";
import { startFake, type Fake } from "../fakes/server.ts";
import { startTwilioFake, type TwilioFake } from "../fakes/twilio.ts";
import { closeDbs, createUser, openDb, urls } from "../helpers/stack.ts";

const secret = `v1,whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64")}`;
const messagingServiceSid = "MG11111111111111111111111111111111";
const sql = connect(urls.db, { max: 10 });
const db = openDb();

let fake: TwilioFake;
let twilioClient: TwilioClient;
const logged: unknown[] = [];
const codesUsed: string[] = [];

function twilioConfig(overrides: Partial<TwilioConfig> = {}): TwilioConfig {
  return { apiUrl: fake.url, accountSid: fake.accountSid, authToken: fake.authToken, sender: { messagingServiceSid }, ...overrides };
}

function hook(overrides: Partial<SendSmsDeps> = {}) {
  return createSendSmsHandler({
    hookSecrets: secret,
    sql,
    twilio: twilioClient,
    caps: { hourly: 5, daily: 10 },
    logError: (message, detail) => logged.push({ message, detail: String(JSON.stringify(detail)) }),
    ...overrides,
  });
}

/** Auth writes phones as digits without "+". */
const newPhone = () => `99890${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
function newCode(): string {
  const code = String(100000 + Math.floor(Math.random() * 900000));
  codesUsed.push(code);
  return code;
}

interface EventUser {
  id: string;
  phone?: string;
  user_metadata?: Record<string, unknown>;
}

/** The payload Auth sends (supabase/auth v0hooks.SendSMSInput), with a trimmed user object. */
function smsEvent(user: EventUser, sms: { otp: string; phone?: string; sms_type?: string }) {
  return {
    metadata: { uuid: crypto.randomUUID(), time: new Date().toISOString(), name: "send-sms", ip_address: "127.0.0.1" },
    user: {
      aud: "authenticated",
      role: "authenticated",
      email: "",
      phone: "",
      app_metadata: { provider: "phone", providers: ["phone"] },
      user_metadata: {},
      identities: [],
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
      is_anonymous: false,
      ...user,
    },
    sms,
  };
}

interface CallOptions {
  secret?: string;
  id?: string;
  timestamp?: number;
  method?: string;
  dropHeader?: string;
}

async function call(handler: (req: Request) => Promise<Response>, body: unknown, options: CallOptions = {}): Promise<Response> {
  const payload = typeof body === "string" ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    ...(await webhookHeaders(options.secret ?? secret, options.id ?? crypto.randomUUID(), options.timestamp ?? Math.floor(Date.now() / 1000), payload)),
  };
  if (options.dropHeader) delete headers[options.dropHeader];
  const method = options.method ?? "POST";
  const res = await handler(new Request("http://127.0.0.1/functions/v1/send-sms", { method, headers, body: method === "POST" ? payload : undefined }));
  expect(res.headers.get("content-type")).toBe("application/json");
  return res;
}

type HookAnswer = { error?: { http_code?: number; message: string; code?: string; details?: { fields?: Record<string, string[]>; reason?: string } } };

async function answer(res: Response): Promise<HookAnswer> {
  return (await res.json()) as HookAnswer;
}

function sentTo(phone: string) {
  return fake.messages.filter((m) => m.to === `+${phone}`);
}

interface DeliveryRow {
  id: string;
  user_id: string;
  phone: string;
  fingerprint: string;
  sms_type: string | null;
  language: string;
  status: string;
  attempts: number;
  provider_message_sid: string | null;
  provider_error_code: number | null;
  provider_error_message: string | null;
}

function deliveries(phone: string): Promise<DeliveryRow[]> {
  return db<DeliveryRow[]>`select * from private.sms_deliveries where phone = ${`+${phone}`} order by created_at, id`;
}

beforeAll(async () => {
  fake = await startTwilioFake();
  twilioClient = createTwilioClient(twilioConfig());
});

afterAll(async () => {
  await fake.stop();
  await sql.end();
  await closeDbs();
});

describe("send-sms: the text in the user's language", () => {
  it.each([
    ["uz", "Tangent: tasdiqlash kodingiz {code}. Uni hech kimga aytmang."],
    ["ru", "Tangent: код подтверждения {code}. Никому его не сообщайте."],
    ["en", "Tangent: your verification code is {code}. Do not share it with anyone."],
  ])("sends the %s text from the profile's language through Twilio", async (language, template) => {
    const user = await createUser({ language });
    const phone = newPhone();
    const code = newCode();
    const res = await call(hook(), smsEvent({ id: user.id, phone }, { otp: code }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const [message, ...more] = sentTo(phone);
    expect(more).toHaveLength(0);
    expect(message).toMatchObject({ body: template.replace("{code}", code), messaging_service_sid: messagingServiceSid, from: null });
    const [row] = await deliveries(phone);
    expect(row).toMatchObject({ user_id: user.id, language, status: "sent", attempts: 1, provider_message_sid: message!.sid, provider_error_code: null });
  });

  it("prefers the profile's language to the signup metadata Auth sends", async () => {
    const user = await createUser({ language: "uz" });
    await db`update public.profiles set language = 'en' where id = ${user.id}`;
    const phone = newPhone();
    await call(hook(), smsEvent({ id: user.id, phone, user_metadata: { language: "uz" } }, { otp: newCode() }));
    expect(sentTo(phone)[0]!.body).toMatch(/^Tangent: your verification code is/);
  });

  it("falls back to user_metadata.language when there is no profile yet (a signup Auth has not committed)", async () => {
    const phone = newPhone();
    const code = newCode();
    await call(hook(), smsEvent({ id: crypto.randomUUID(), phone, user_metadata: { language: "ru" } }, { otp: code }));
    expect(sentTo(phone)[0]!.body).toBe(`Tangent: код подтверждения ${code}. Никому его не сообщайте.`);
    expect((await deliveries(phone))[0]).toMatchObject({ language: "ru", status: "sent" });
  });

  it("falls back to English when neither knows the language", async () => {
    for (const metadata of [{}, { language: "de" }]) {
      const phone = newPhone();
      const code = newCode();
      const res = await call(hook(), smsEvent({ id: crypto.randomUUID(), phone, user_metadata: metadata }, { otp: code }));
      expect(res.status).toBe(200);
      expect(sentTo(phone)[0]!.body).toBe(`Tangent: your verification code is ${code}. Do not share it with anyone.`);
    }
  });

  it("sends to sms.phone when Auth gives one (a phone change), and records sms_type", async () => {
    const oldPhone = newPhone();
    const newNumber = newPhone();
    await call(hook(), smsEvent({ id: crypto.randomUUID(), phone: oldPhone }, { otp: newCode(), phone: newNumber, sms_type: "phone_change" }));
    expect(sentTo(oldPhone)).toHaveLength(0);
    expect(sentTo(newNumber)).toHaveLength(1);
    expect((await deliveries(newNumber))[0]).toMatchObject({ sms_type: "phone_change", phone: `+${newNumber}` });
  });

  it("sends From our number instead when no Messaging Service is configured (status queued is accepted)", async () => {
    const phone = newPhone();
    const res = await call(hook({ twilio: createTwilioClient(twilioConfig({ sender: { from: "+15005550006" } })) }), smsEvent({ id: crypto.randomUUID(), phone }, { otp: newCode() }));
    expect(await res.json()).toEqual({});
    expect(sentTo(phone)[0]).toMatchObject({ from: "+15005550006", messaging_service_sid: null, status: "queued" });
    expect((await deliveries(phone))[0]!.status).toBe("sent");
  });

  it("writes the delivery row without the code: only a keyed fingerprint, different per code", async () => {
    const phone = newPhone();
    const first = newCode();
    const second = newCode();
    await call(hook(), smsEvent({ id: crypto.randomUUID(), phone }, { otp: first }));
    await call(hook(), smsEvent({ id: crypto.randomUUID(), phone }, { otp: second }));
    const rows = await db<{ row: string; fingerprint: string }[]>`
      select to_jsonb(d)::text as row, d.fingerprint from private.sms_deliveries d where d.phone = ${`+${phone}`}`;
    expect(rows).toHaveLength(2);
    for (const { row, fingerprint } of rows) {
      expect(row).not.toContain(first);
      expect(row).not.toContain(second);
      expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(rows[0]!.fingerprint).not.toBe(rows[1]!.fingerprint);
  });
});

describe("send-sms: requests that are not Auth's", () => {
  it("401 webhook.invalid_signature for a wrong secret, a tampered body, a missing header or a stale timestamp", async () => {
    const phone = newPhone();
    const body = smsEvent({ id: crypto.randomUUID(), phone }, { otp: newCode() });
    const other = `v1,whsec_${Buffer.from("another-secret-another-secret-32").toString("base64")}`;
    const cases: [CallOptions, string][] = [
      [{ secret: other }, "no_matching_signature"],
      [{ dropHeader: "webhook-signature" }, "missing_headers"],
      [{ dropHeader: "webhook-id" }, "missing_headers"],
      [{ timestamp: Math.floor(Date.now() / 1000) - 600 }, "timestamp_too_old"],
      [{ timestamp: Math.floor(Date.now() / 1000) + 600 }, "timestamp_too_new"],
    ];
    for (const [options, reason] of cases) {
      const res = await call(hook(), body, options);
      expect(res.status).toBe(401);
      expect((await answer(res)).error).toMatchObject({ code: "webhook.invalid_signature", details: { reason } });
    }
    const payload = JSON.stringify(body);
    const headers = await webhookHeaders(secret, "msg_tampered", Math.floor(Date.now() / 1000), payload);
    const tampered = await hook()(new Request("http://127.0.0.1/functions/v1/send-sms", { method: "POST", headers, body: payload.replace(phone, newPhone()) }));
    expect(tampered.status).toBe(401);
    expect(tampered.headers.get("content-type")).toBe("application/json");
    expect(sentTo(phone)).toHaveLength(0);
    expect(await deliveries(phone)).toHaveLength(0);
  });

  it("400 request.malformed_json for a signed body that is not JSON", async () => {
    const res = await call(hook(), "{not json");
    expect(res.status).toBe(400);
    expect((await answer(res)).error?.code).toBe("request.malformed_json");
  });

  it("400 request.invalid_body naming each bad field", async () => {
    const res = await call(hook(), { user: { id: "not-a-uuid", phone: "998901234567" }, sms: { otp: "12ab" } });
    expect(res.status).toBe(400);
    const error = (await answer(res)).error;
    expect(error?.code).toBe("request.invalid_body");
    expect(Object.keys(error?.details?.fields ?? {}).sort()).toEqual(["sms.otp", "user.id"]);

    const noPhone = await call(hook(), smsEvent({ id: crypto.randomUUID(), phone: "" }, { otp: newCode() }));
    expect(noPhone.status).toBe(400);
    expect(Object.keys((await answer(noPhone)).error?.details?.fields ?? {})).toEqual(["sms.phone"]);

    const missing = await call(hook(), { user: { id: crypto.randomUUID() } });
    expect(Object.keys((await answer(missing)).error?.details?.fields ?? {})).toEqual(["sms"]);
  });

  it("405 for other methods, still JSON", async () => {
    const res = await call(hook(), "", { method: "GET" });
    expect(res.status).toBe(405);
    expect((await answer(res)).error?.code).toBe("request.method_not_allowed");
  });
});

describe("send-sms: per-phone caps", () => {
  it("answers 200 with Auth's error object, http_code 429, once the hourly cap is reached", async () => {
    const phone = newPhone();
    const capped = hook({ caps: { hourly: 2, daily: 10 } });
    for (let i = 0; i < 2; i++) {
      const res = await call(capped, smsEvent({ id: crypto.randomUUID(), phone }, { otp: newCode() }));
      expect(await res.json()).toEqual({});
    }
    const res = await call(capped, smsEvent({ id: crypto.randomUUID(), phone }, { otp: newCode() }));
    expect(res.status).toBe(200);
    const error = (await answer(res)).error;
    expect(error?.http_code).toBe(429);
    expect(error?.message).toMatch(/^Too many codes were sent to this number\. Try again in (59|60) min\.$/);
    expect(sentTo(phone)).toHaveLength(2);
    expect((await deliveries(phone)).map((d) => d.status)).toEqual(["sent", "sent", "capped"]);
  });

  it("says so in the user's language", async () => {
    const user = await createUser({ language: "ru" });
    const phone = newPhone();
    const capped = hook({ caps: { hourly: 1, daily: 1 } });
    await call(capped, smsEvent({ id: user.id, phone }, { otp: newCode() }));
    const error = (await answer(await call(capped, smsEvent({ id: user.id, phone }, { otp: newCode() })))).error;
    expect(error).toMatchObject({ http_code: 429 });
    expect(error?.message).toMatch(/^На этот номер отправлено слишком много кодов\. Повторите попытку через \d+ мин\.$/);
  });

  it("holds under concurrent hook calls: exactly the cap goes out", async () => {
    const phone = newPhone();
    const capped = hook({ caps: { hourly: 3, daily: 10 } });
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => call(capped, smsEvent({ id: crypto.randomUUID(), phone }, { otp: newCode() })).then(answer)),
    );
    expect(answers.filter((a) => a.error === undefined)).toHaveLength(3);
    expect(answers.filter((a) => a.error?.http_code === 429)).toHaveLength(5);
    expect(sentTo(phone)).toHaveLength(3);
    const statuses = (await deliveries(phone)).map((d) => d.status).sort();
    expect(statuses).toEqual(["capped", "capped", "capped", "capped", "capped", "sent", "sent", "sent"]);
  });

  it("reads SMS_HOURLY_CAP and SMS_DAILY_CAP, 5 and 10 by default", () => {
    expect(smsCapsFromEnv(() => undefined)).toEqual({ hourly: 5, daily: 10 });
    const env: Record<string, string> = { SMS_HOURLY_CAP: "3", SMS_DAILY_CAP: "7" };
    expect(smsCapsFromEnv((name) => env[name])).toEqual({ hourly: 3, daily: 7 });
    expect(() => smsCapsFromEnv((name) => (name === "SMS_DAILY_CAP" ? "0" : undefined))).toThrow(/SMS_DAILY_CAP/);
    expect(() => smsCapsFromEnv((name) => (name === "SMS_HOURLY_CAP" ? "five" : undefined))).toThrow(/SMS_HOURLY_CAP/);
  });
});

describe("send-sms: Auth's retries", () => {
  it("a retry with a new webhook-id and the same code sends one message and counts once", async () => {
    const phone = newPhone();
    const body = smsEvent({ id: crypto.randomUUID(), phone }, { otp: newCode() });
    const capped = hook({ caps: { hourly: 2, daily: 10 } });
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await call(capped, body, { id: crypto.randomUUID() });
      expect(await res.json()).toEqual({});
    }
    expect(sentTo(phone)).toHaveLength(1);
    expect(await deliveries(phone)).toMatchObject([{ status: "sent", attempts: 3 }]);
    const next = await call(capped, smsEvent({ id: crypto.randomUUID(), phone }, { otp: newCode() }));
    expect(await next.json()).toEqual({});
  });

  it("a retry after Twilio failed sends the code again, on the same delivery", async () => {
    const phone = newPhone();
    const body = smsEvent({ id: crypto.randomUUID(), phone }, { otp: newCode() });
    const down = hook({ twilio: createTwilioClient(twilioConfig({ apiUrl: "http://127.0.0.1:9" })) });
    expect((await answer(await call(down, body))).error?.http_code).toBe(502);
    expect(await answer(await call(hook(), body))).toEqual({});
    expect(sentTo(phone)).toHaveLength(1);
    expect(await deliveries(phone)).toMatchObject([{ status: "sent", attempts: 2, provider_error_message: null }]);
  });
});

describe("send-sms: Twilio's refusals and failures", () => {
  it.each([
    ["15005550001", 21211, "This phone number is not valid."],
    ["15005550009", 21614, "This number cannot receive SMS. Use a mobile phone number."],
    ["15005550004", 21610, "This number has opted out of Tangent SMS. Text START to us to receive codes again."],
    ["15005550002", 21612, "SMS cannot be sent to this number."],
    ["15005550003", 21408, "SMS cannot be sent to this number."],
  ])("%s (Twilio %i): http_code 400 with a message the user can act on", async (phone, code, message) => {
    const res = await call(hook(), smsEvent({ id: crypto.randomUUID(), phone }, { otp: newCode() }));
    expect(res.status).toBe(200);
    expect((await answer(res)).error).toEqual({ http_code: 400, message });
    const rows = await deliveries(phone);
    expect(rows.at(-1)).toMatchObject({ status: "failed", provider_error_code: code, provider_message_sid: null });
  });

  it("the number message in the user's language", async () => {
    const user = await createUser({ language: "uz" });
    const res = await call(hook(), smsEvent({ id: user.id, phone: "15005550001" }, { otp: newCode() }));
    expect((await answer(res)).error).toEqual({ http_code: 400, message: "Telefon raqami noto'g'ri." });
  });

  it("refusals that are not the number's (21608 trial account, 20003 bad credentials): http_code 502, logged", async () => {
    const trial = await call(hook(), smsEvent({ id: crypto.randomUUID(), phone: "15005550010" }, { otp: newCode() }));
    expect((await answer(trial)).error).toEqual({ http_code: 502, message: "The SMS could not be sent right now. Try again in a moment." });
    expect((await deliveries("15005550010")).at(-1)).toMatchObject({ status: "failed", provider_error_code: 21608 });

    const phone = newPhone();
    const badCredentials = hook({ twilio: createTwilioClient(twilioConfig({ authToken: "wrong" })) });
    expect((await answer(await call(badCredentials, smsEvent({ id: crypto.randomUUID(), phone }, { otp: newCode() })))).error?.http_code).toBe(502);
    expect(await deliveries(phone)).toMatchObject([{ status: "failed", provider_error_code: 20003 }]);
    expect(JSON.stringify(logged)).toContain("20003");
  });

  it("Twilio unreachable: http_code 502 JSON, the delivery recorded as failed", async () => {
    const phone = newPhone();
    const down = hook({ twilio: createTwilioClient(twilioConfig({ apiUrl: "http://127.0.0.1:9" })) });
    const res = await call(down, smsEvent({ id: crypto.randomUUID(), phone }, { otp: newCode() }));
    expect(res.status).toBe(200);
    expect((await answer(res)).error?.http_code).toBe(502);
    const [row] = await deliveries(phone);
    expect(row).toMatchObject({ status: "failed", provider_error_code: null });
    expect(row!.provider_error_message).toMatch(/^Twilio unreachable/);
  });

  describe("answers the fake cannot give", () => {
    let odd: Fake;
    let mode: "html-503" | "rate-limited" | "created-failed" | "slow" = "html-503";

    beforeAll(async () => {
      odd = await startFake(async () => {
        switch (mode) {
          case "html-503":
            return new Response("<html>Service Unavailable</html>", { status: 503, headers: { "content-type": "text/html" } });
          case "rate-limited":
            return Response.json({ code: 20429, message: "Too Many Requests", more_info: "https://www.twilio.com/docs/errors/20429", status: 429 }, { status: 429 });
          case "created-failed":
            return Response.json({ sid: "SM00000000000000000000000000000001", status: "failed", error_code: 30007, error_message: "Message filtered" }, { status: 201 });
          case "slow":
            await new Promise((resolve) => setTimeout(resolve, 1000));
            return Response.json({ sid: "SM00000000000000000000000000000002", status: "queued" }, { status: 201 });
        }
      });
    });

    afterAll(() => odd.stop());

    it.each(["html-503", "rate-limited", "created-failed", "slow"] as const)("%s: http_code 502, never a crash", async (which) => {
      mode = which;
      const phone = newPhone();
      const client = createTwilioClient({ ...twilioConfig(), apiUrl: odd.url, timeoutMs: 200 });
      const res = await call(hook({ twilio: client }), smsEvent({ id: crypto.randomUUID(), phone }, { otp: newCode() }));
      expect(res.status).toBe(200);
      expect((await answer(res)).error?.http_code).toBe(502);
      expect((await deliveries(phone))[0]!.status).toBe("failed");
    });

    it("created-failed keeps Twilio's SID and error code on the delivery", async () => {
      mode = "created-failed";
      const phone = newPhone();
      await call(hook({ twilio: createTwilioClient({ ...twilioConfig(), apiUrl: odd.url }) }), smsEvent({ id: crypto.randomUUID(), phone }, { otp: newCode() }));
      expect((await deliveries(phone))[0]).toMatchObject({ provider_message_sid: "SM00000000000000000000000000000001", provider_error_code: 30007 });
    });
  });

  it("database unreachable: http_code 500 with a generic message, logged, still JSON", async () => {
    const broken = connect("postgresql://postgres:postgres@127.0.0.1:9/postgres", { max: 1 });
    const before = logged.length;
    const res = await call(hook({ sql: broken }), smsEvent({ id: crypto.randomUUID(), phone: newPhone() }, { otp: newCode() }));
    expect(res.status).toBe(200);
    expect((await answer(res)).error).toEqual({ http_code: 500, message: "The SMS could not be sent because of a server error. Try again later." });
    expect(logged.length).toBeGreaterThan(before);
    await broken.end();
  });

  it("never logs a code", () => {
    const log = JSON.stringify(logged);
    for (const code of codesUsed) expect(log).not.toContain(code);
  });
});

describe("Twilio client", () => {
  it("sends what the official twilio package sends for the same message", async () => {
    const sdk = twilio(fake.accountSid, fake.authToken);
    sdk.api.baseUrl = fake.url;
    await sdk.messages.create({ to: "+998901230001", body: "Tangent: 111111", messagingServiceSid });
    const theirs = fake.requests.at(-1)!;
    await twilioClient.sendSms("+998901230002", "Tangent: 111111");
    const ours = fake.requests.at(-1)!;
    expect(ours.method).toBe(theirs.method);
    expect(ours.path).toBe(theirs.path);
    expect(ours.headers.authorization).toBe(theirs.headers.authorization);
    expect(ours.headers["content-type"]).toBe(theirs.headers["content-type"]);
    const params = (body: string) => Object.fromEntries(new URLSearchParams(body));
    expect(params(ours.body)).toEqual({ ...params(theirs.body), To: "+998901230002" });
  });
});
