// Standard Webhooks (https://www.standardwebhooks.com), the signing scheme of Supabase Auth's HTTP
// hooks (research external-apis §4.2, supabase-platform §4.1), with Web Crypto only so that it runs
// unchanged in Deno and Node. Signed content is `<webhook-id>.<webhook-timestamp>.<raw body>`,
// HMAC-SHA256 under the base64-decoded secret, sent as `v1,<base64>`; several signatures (one per
// secret while a secret is rotated) share one header.

export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export type WebhookFailure =
  | "missing_headers"
  | "invalid_timestamp"
  | "timestamp_too_old"
  | "timestamp_too_new"
  | "no_matching_signature";

export class WebhookVerificationError extends Error {
  constructor(readonly reason: WebhookFailure, message: string) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}

/** What a verified request says about itself. */
export interface WebhookMessage {
  id: string;
  timestamp: number;
}

export interface VerifyOptions {
  toleranceSeconds?: number;
  now?: () => Date;
}

export type VerifyWebhook = (headers: Headers, payload: string | Uint8Array<ArrayBuffer>) => Promise<WebhookMessage>;

const encoder = new TextEncoder();

// Spelled this way because Node's type definitions have no global CryptoKey.
type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

function fromBase64(value: string): Uint8Array<ArrayBuffer> {
  const binary = atob(value);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * The key bytes of one secret. Supabase writes secrets as `v1,whsec_<base64>`; the Standard Webhooks
 * libraries take `whsec_<base64>` (and stumble over the `v1,`), so both forms and bare base64 are read.
 */
export function decodeWebhookSecret(secret: string): Uint8Array<ArrayBuffer> {
  const encoded = secret.trim().replace(/^v1,/, "").replace(/^whsec_/, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new Error("a webhook secret must be v1,whsec_<base64>");
  const key = fromBase64(encoded);
  if (key.length === 0) throw new Error("a webhook secret must not be empty");
  return key;
}

/** Secrets joined by `|`, as Supabase takes them for rotation (`v1,whsec_new|v1,whsec_old`). */
export function parseWebhookSecrets(value: string): Uint8Array<ArrayBuffer>[] {
  const parts = value.split("|").map((part) => part.trim()).filter((part) => part !== "");
  if (parts.length === 0) throw new Error("no webhook secret configured");
  return parts.map(decodeWebhookSecret);
}

function importKey(key: Uint8Array<ArrayBuffer>): Promise<HmacKey> {
  return crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

function signedContent(id: string, timestamp: number | string, payload: string | Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const body = typeof payload === "string" ? encoder.encode(payload) : payload;
  const content = new Uint8Array(prefix.length + body.length);
  content.set(prefix);
  content.set(body, prefix.length);
  return content;
}

async function hmac(key: HmacKey, content: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, content));
}

/** `v1,<base64 signature>` for one secret: what a sender puts in `webhook-signature`. */
export async function signWebhook(secret: string, id: string, timestamp: number, payload: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const signature = await hmac(await importKey(decodeWebhookSecret(secret)), signedContent(id, timestamp, payload));
  return `v1,${toBase64(signature)}`;
}

/** The three headers a sender adds, signed with every secret of `secrets` (`|`-separated). */
export async function webhookHeaders(secrets: string, id: string, timestamp: number, payload: string | Uint8Array<ArrayBuffer>): Promise<Record<string, string>> {
  const names = secrets.split("|").map((part) => part.trim()).filter((part) => part !== "");
  const signatures = await Promise.all(names.map((secret) => signWebhook(secret, id, timestamp, payload)));
  return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": signatures.join(" ") };
}

/** Equal-length byte strings compared in time independent of where they differ. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

/**
 * The `v1` signatures of a `webhook-signature` header. The spec separates entries with spaces; Supabase
 * Auth joins them with ", ", so a trailing comma is dropped. Other versions (v1a, asymmetric) and
 * entries that are not base64 are skipped.
 */
function v1Signatures(header: string): Uint8Array[] {
  const signatures: Uint8Array[] = [];
  for (const entry of header.split(/\s+/)) {
    const [version, value] = entry.replace(/,$/, "").split(",", 2);
    if (version !== "v1" || !value) continue;
    try {
      signatures.push(fromBase64(value));
    } catch {
      continue;
    }
  }
  return signatures;
}

/**
 * A verifier for requests signed with any of `secrets` (`|`-separated). It resolves to the message's id
 * and timestamp, or throws WebhookVerificationError saying why the request is not authentic.
 */
export function createWebhookVerifier(secrets: string, options: VerifyOptions = {}): VerifyWebhook {
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = options.now ?? (() => new Date());
  const keys = Promise.all(parseWebhookSecrets(secrets).map(importKey));

  return async (headers, payload) => {
    const id = headers.get("webhook-id");
    const timestampHeader = headers.get("webhook-timestamp");
    const signatureHeader = headers.get("webhook-signature");
    if (!id || !timestampHeader || !signatureHeader) {
      throw new WebhookVerificationError("missing_headers", "webhook-id, webhook-timestamp and webhook-signature are required");
    }
    if (!/^\d{1,12}$/.test(timestampHeader)) {
      throw new WebhookVerificationError("invalid_timestamp", "webhook-timestamp must be Unix seconds");
    }
    const timestamp = Number(timestampHeader);
    const nowSeconds = Math.floor(now().getTime() / 1000);
    if (timestamp < nowSeconds - tolerance) throw new WebhookVerificationError("timestamp_too_old", "the webhook timestamp is too old");
    if (timestamp > nowSeconds + tolerance) throw new WebhookVerificationError("timestamp_too_new", "the webhook timestamp is in the future");

    const candidates = v1Signatures(signatureHeader);
    const content = signedContent(id, timestampHeader, payload);
    for (const key of await keys) {
      const expected = await hmac(key, content);
      if (candidates.some((candidate) => constantTimeEqual(candidate, expected))) return { id, timestamp };
    }
    throw new WebhookVerificationError("no_matching_signature", "no signature matches a configured secret");
  };
}
