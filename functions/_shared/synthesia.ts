// Synthesia API v2 over fetch (research external-apis §1): the raw API key in Authorization (no
// Bearer), the base URL from the environment so tests and the local stack use tests/fakes/synthesia.ts,
// and every answer sorted into what our callers must do differently.
import { z } from "zod";
import { requireEnv, type GetEnv } from "./env.ts";

export interface SynthesiaConfig {
  /** https://api.synthesia.io, or the fake's URL. */
  apiUrl: string;
  apiKey: string;
  timeoutMs?: number;
}

export const synthesiaVideo = z.object({
  id: z.string().min(1),
  status: z.string(),
  callbackId: z.string().nullish(),
  download: z.string().nullish(),
  duration: z.string().nullish(),
  thumbnail: z.object({ image: z.string().nullish(), gif: z.string().nullish() }).nullish(),
  captions: z.object({ srt: z.string().nullish(), vtt: z.string().nullish() }).nullish(),
});
export type SynthesiaVideo = z.infer<typeof synthesiaVideo>;

export type SynthesiaResult<T> =
  | { outcome: "ok"; value: T }
  /** 400: Synthesia refused the request; its message is for the user. */
  | { outcome: "bad_request"; message: string }
  /** 401/403: our API key is wrong or lacks access; a matter for admins. */
  | { outcome: "forbidden"; status: number; message: string }
  | { outcome: "not_found" }
  | { outcome: "rate_limited"; retryAfterSeconds: number }
  /** Network error, timeout, 5xx or an answer that is not Synthesia's. */
  | { outcome: "unavailable"; message: string };

export interface SynthesiaClient {
  /** Hashed API key: rate limits are per key, and the key itself is never stored. */
  keyId(): Promise<string>;
  createVideo(body: Record<string, unknown>, fromTemplate: boolean): Promise<SynthesiaResult<SynthesiaVideo>>;
  getVideo(id: string): Promise<SynthesiaResult<SynthesiaVideo>>;
  deleteVideo(id: string): Promise<SynthesiaResult<null>>;
}

const errorBody = z.object({ error: z.string(), context: z.string().nullish() });

async function sorted<T>(res: Response, parse: (body: unknown) => T): Promise<SynthesiaResult<T>> {
  if (res.ok) {
    const body: unknown = res.status === 204 ? null : await res.json().catch(() => undefined);
    try {
      return { outcome: "ok", value: parse(body) };
    } catch {
      return { outcome: "unavailable", message: `Synthesia answered ${res.status} with an unexpected body` };
    }
  }
  const parsed = errorBody.safeParse(await res.json().catch(() => null));
  const message = parsed.success ? [parsed.data.error, parsed.data.context].filter(Boolean).join(": ") : `status ${res.status}`;
  if (res.status === 400) return { outcome: "bad_request", message };
  if (res.status === 401 || res.status === 403) return { outcome: "forbidden", status: res.status, message };
  if (res.status === 404) return { outcome: "not_found" };
  if (res.status === 429) {
    const reset = Number(res.headers.get("ratelimit-reset") ?? res.headers.get("retry-after"));
    return { outcome: "rate_limited", retryAfterSeconds: Number.isFinite(reset) && reset > 0 ? Math.ceil(reset) : 60 };
  }
  return { outcome: "unavailable", message: `Synthesia answered ${res.status}: ${message}` };
}

export function createSynthesiaClient(config: SynthesiaConfig): SynthesiaClient {
  const base = `${config.apiUrl.replace(/\/+$/, "")}/v2`;
  const timeoutMs = config.timeoutMs ?? 10_000;
  let keyId: Promise<string> | null = null;

  async function call<T>(method: string, path: string, body: unknown, parse: (body: unknown) => T): Promise<SynthesiaResult<T>> {
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: config.apiKey, accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      return await sorted(res, parse);
    } catch (error) {
      const reason = error instanceof Error && error.name === "TimeoutError" ? "timed out" : "unreachable";
      return { outcome: "unavailable", message: `Synthesia ${reason}` };
    }
  }

  return {
    keyId: () => (keyId ??= crypto.subtle.digest("SHA-256", new TextEncoder().encode(config.apiKey))
      .then((digest) => Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("").slice(0, 32))),
    createVideo: (body, fromTemplate) => call("POST", fromTemplate ? "/videos/fromTemplate" : "/videos", body, (b) => synthesiaVideo.parse(b)),
    getVideo: (id) => call("GET", `/videos/${encodeURIComponent(id)}`, undefined, (b) => synthesiaVideo.parse(b)),
    deleteVideo: (id) => call("DELETE", `/videos/${encodeURIComponent(id)}`, undefined, () => null),
  };
}

export function synthesiaClientFromEnv(get: GetEnv): SynthesiaClient {
  return createSynthesiaClient({
    apiUrl: get("SYNTHESIA_API_URL") || "https://api.synthesia.io",
    apiKey: requireEnv(get, "SYNTHESIA_API_KEY"),
  });
}

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

/** Synthesia's signature: lowercase hex HMAC-SHA256 of `${timestamp}.${rawBody}`, keyed with the secret as UTF-8 text. */
export async function synthesiaSignature(secret: string, timestamp: string, rawBody: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return hex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${timestamp}.${rawBody}`)));
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export type SignatureCheck = "ok" | "missing" | "stale" | "mismatch";

/** Checks Synthesia-Signature against the body and refuses timestamps (UNIX seconds) further than toleranceSeconds from now. */
export async function verifySynthesiaSignature(
  secret: string, headers: Headers, rawBody: string, nowSeconds: number, toleranceSeconds = 600,
): Promise<SignatureCheck> {
  const timestamp = headers.get("synthesia-timestamp");
  const signature = headers.get("synthesia-signature");
  if (!timestamp || !signature) return "missing";
  const sent = Number(timestamp);
  if (!/^\d{1,13}$/.test(timestamp) || Math.abs(nowSeconds - sent) > toleranceSeconds) return "stale";
  const expected = await synthesiaSignature(secret, timestamp, rawBody);
  return constantTimeEqual(expected, signature.trim().toLowerCase()) ? "ok" : "mismatch";
}
