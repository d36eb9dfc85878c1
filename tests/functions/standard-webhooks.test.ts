// Standard Webhooks signing and verification (functions/_shared/standard-webhooks.ts): the reference
// vector of the Standard Webhooks test suite, the header forms Supabase Auth sends, and every way a
// request can fail to be authentic.
import { describe, expect, it } from "vitest";
import {
  createWebhookVerifier,
  decodeWebhookSecret,
  parseWebhookSecrets,
  signWebhook,
  webhookHeaders,
  WebhookVerificationError,
  type WebhookFailure,
} from "../../functions/_shared/standard-webhooks.ts";

// The vector every Standard Webhooks library tests against (and Svix's documentation).
const vector = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};
const atVector = () => new Date(vector.timestamp * 1000);

const secretA = `v1,whsec_${Buffer.from("secret-a-secret-a-secret-a-32byte").toString("base64")}`;
const secretB = `v1,whsec_${Buffer.from("secret-b-secret-b-secret-b-32byte").toString("base64")}`;

function headersOf(values: Record<string, string>): Headers {
  return new Headers(values);
}

async function failure(promise: Promise<unknown>): Promise<WebhookFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.reason;
    throw error;
  }
  throw new Error("verification succeeded");
}

async function signed(secrets: string, payload: string, timestamp = Math.floor(Date.now() / 1000)): Promise<Headers> {
  return headersOf(await webhookHeaders(secrets, `msg_${crypto.randomUUID()}`, timestamp, payload));
}

describe("signing", () => {
  it("reproduces the Standard Webhooks reference signature", async () => {
    expect(await signWebhook(vector.secret, vector.id, vector.timestamp, vector.payload)).toBe(vector.signature);
  });

  it("reads the secret in Supabase's form (v1,whsec_), the libraries' form (whsec_) and bare base64", async () => {
    const bare = vector.secret.slice("whsec_".length);
    for (const form of [`v1,${vector.secret}`, vector.secret, bare]) {
      expect(await signWebhook(form, vector.id, vector.timestamp, vector.payload)).toBe(vector.signature);
    }
  });

  it("signs raw bytes exactly like the same text", async () => {
    const bytes = new TextEncoder().encode(vector.payload);
    expect(await signWebhook(vector.secret, vector.id, vector.timestamp, bytes)).toBe(vector.signature);
  });

  it("refuses secrets that are not base64, and an empty list", () => {
    expect(() => decodeWebhookSecret("v1,whsec_not base64!")).toThrow(/v1,whsec_/);
    expect(() => parseWebhookSecrets(" | ")).toThrow(/no webhook secret/);
    expect(parseWebhookSecrets(`${secretA}|${secretB}`)).toHaveLength(2);
  });
});

describe("verification", () => {
  it("accepts the reference vector at its own time and returns the message id and timestamp", async () => {
    const verify = createWebhookVerifier(`v1,${vector.secret}`, { now: atVector });
    const headers = headersOf({ "webhook-id": vector.id, "webhook-timestamp": String(vector.timestamp), "webhook-signature": vector.signature });
    expect(await verify(headers, vector.payload)).toEqual({ id: vector.id, timestamp: vector.timestamp });
  });

  it("rejects a tampered body, a changed id and a changed timestamp", async () => {
    const verify = createWebhookVerifier(vector.secret, { now: atVector });
    const good = { "webhook-id": vector.id, "webhook-timestamp": String(vector.timestamp), "webhook-signature": vector.signature };
    expect(await failure(verify(headersOf(good), '{"test": 2432232315}'))).toBe("no_matching_signature");
    expect(await failure(verify(headersOf({ ...good, "webhook-id": "msg_other" }), vector.payload))).toBe("no_matching_signature");
    expect(await failure(verify(headersOf({ ...good, "webhook-timestamp": String(vector.timestamp + 1) }), vector.payload))).toBe("no_matching_signature");
  });

  it("rejects a signature made with another secret", async () => {
    const verify = createWebhookVerifier(secretA);
    expect(await failure(verify(await signed(secretB, "{}"), "{}"))).toBe("no_matching_signature");
  });

  it("accepts timestamps within five minutes either way, and rejects stale and future ones", async () => {
    const now = new Date("2026-11-21T12:00:00Z");
    const verify = createWebhookVerifier(secretA, { now: () => now });
    const seconds = now.getTime() / 1000;
    for (const skew of [-300, -1, 0, 1, 300]) {
      await expect(verify(await signed(secretA, "{}", seconds + skew), "{}")).resolves.toMatchObject({ timestamp: seconds + skew });
    }
    expect(await failure(verify(await signed(secretA, "{}", seconds - 301), "{}"))).toBe("timestamp_too_old");
    expect(await failure(verify(await signed(secretA, "{}", seconds + 301), "{}"))).toBe("timestamp_too_new");
  });

  it("rejects a missing header and a timestamp that is not Unix seconds", async () => {
    const verify = createWebhookVerifier(secretA);
    const headers = Object.fromEntries(await signed(secretA, "{}"));
    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"]) {
      const partial = { ...headers };
      delete partial[name];
      expect(await failure(verify(headersOf(partial), "{}"))).toBe("missing_headers");
    }
    expect(await failure(verify(headersOf({ ...headers, "webhook-timestamp": "2026-11-21T12:00:00Z" }), "{}"))).toBe("invalid_timestamp");
  });

  it("finds the matching one among several signatures, in the spec's and in Auth's separator", async () => {
    const verify = createWebhookVerifier(secretA);
    const id = "msg_several";
    const timestamp = Math.floor(Date.now() / 1000);
    const mine = await signWebhook(secretA, id, timestamp, "{}");
    const other = await signWebhook(secretB, id, timestamp, "{}");
    for (const header of [`${other} ${mine}`, `${other}, ${mine}`, `v1a,c29tZXRoaW5n ${mine}`, `v1,!!notbase64!! ${mine}`]) {
      const headers = headersOf({ "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": header });
      await expect(verify(headers, "{}")).resolves.toMatchObject({ id });
    }
    const onlyOthers = headersOf({ "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": `${other}, v2,${mine.slice(3)}` });
    expect(await failure(verify(onlyOthers, "{}"))).toBe("no_matching_signature");
  });

  it("accepts any configured secret while one is rotated (secrets joined by |)", async () => {
    const verify = createWebhookVerifier(`${secretB} | ${secretA}`);
    await expect(verify(await signed(secretA, "{}"), "{}")).resolves.toBeDefined();
    await expect(verify(await signed(secretB, "{}"), "{}")).resolves.toBeDefined();
    const third = `v1,whsec_${Buffer.from("a-third-secret-nobody-configured!").toString("base64")}`;
    expect(await failure(verify(await signed(third, "{}"), "{}"))).toBe("no_matching_signature");
  });

  it("signs every configured secret into one header, as Auth does", async () => {
    const headers = await webhookHeaders(`${secretA}|${secretB}`, "msg_1", 1_700_000_000, "{}");
    expect(headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    const verifyB = createWebhookVerifier(secretB, { now: () => new Date(1_700_000_000_000) });
    await expect(verifyB(headersOf(headers), "{}")).resolves.toEqual({ id: "msg_1", timestamp: 1_700_000_000 });
  });
});
