// A stateful TEST FAKE of Supabase Auth's (GoTrue's) HTTP API, standing in for GoTrue where Docker is
// not available: the local stack runs one behind its gateway (/auth/v1/*), and tests start their own.
// It keeps no state of its own: users, identities, sessions, refresh tokens and one-time tokens live in
// the real database's `auth` schema, written as GoTrue writes them, on GoTrue's own connection
// (supabase_auth_admin). Hooks are called as GoTrue calls them (Postgres hooks in its transaction,
// HTTP hooks signed with Standard Webhooks). Behaviour, messages and error codes follow supabase/auth
// (internal/api/{token,signup,otp,magic_link,recover,mail,phone,verify,user,logout,admin,errors}.go,
// internal/mailer, internal/utilities/request.go, internal/tokens, internal/hooks).
// Email is captured, never sent, like the Inbucket/Mailpit of `supabase start`: every message GoTrue
// would mail (signup confirmation, recovery, magic link / email OTP, email change) is kept in memory
// with what its template would show, readable at GET /_fake/mail?to=<address> on the fake's own URL
// (the gateway passes only /auth/v1/*) and through AuthFake.mail().
// Not implemented: invites, /resend, /reauthenticate, account-change notification mails, the
// project-wide email_sent rate limit, OAuth/SSO/MFA, PKCE, anonymous sign-ins, GET /verify redirects,
// email_change verification.
import { createHash, createHmac, randomBytes, randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import postgres from "postgres";
import { parse as parseToml } from "smol-toml";
import { createLocalJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWK, type JWTPayload } from "jose";
import { publicJwks, signAccessToken, type StackKeys } from "../../scripts/lib/keys.ts";
import { repoRoot, type AuthHookConfig, type AuthSettings } from "../../scripts/lib/settings.ts";
import {
  AuthApiError, checkHookError, grantSession, mintAccessToken, runPgHook, secureAlphanumeric,
  type AuthenticationMethod, type HookDispatcher,
} from "../../scripts/lib/tokens.ts";
import { startFake, type Fake } from "./server.ts";

export interface AuthFakeOptions {
  /** The database; the fake connects to it as supabase_auth_admin (password `postgres`), like GoTrue. */
  dbUrl: string;
  /** Signing key (ES256, kid) and the API keys the gateway accepts in `apikey`. */
  keys: StackKeys;
  /** config.toml's [auth] (readProjectConfig().auth); override `hooks` to disable or redirect hooks. */
  settings: AuthSettings;
  /** The API URL clients use: the issuer is `<apiUrl>/auth/v1`. */
  apiUrl: string;
  /**
   * Origin that replaces the one in HTTP hook URIs: config.toml names the functions as Docker sees
   * them (http://host.docker.internal:54321/functions/v1/...), the local stack serves them elsewhere.
   */
  hookOrigin?: string;
  /** Keys published at /auth/v1/.well-known/jwks.json; by default the public half of `keys.signingKey`. */
  jwks?: JWK[];
  /** config.toml's auth.site_url (AuthSettings has no field for it); by default read from supabase/config.toml. */
  siteUrl?: string;
  /** config.toml's auth.additional_redirect_urls (globs); by default read from supabase/config.toml. */
  additionalRedirectUrls?: string[];
  port?: number;
}

/** The email_action_type of a message, as GoTrue names it (internal/mailer, the send_email hook). */
export type EmailActionType = "signup" | "recovery" | "magiclink" | "invite" | "email_change";

/** One email GoTrue would have sent: what its template's variables ({{ .Token }}, ...) would have shown. */
export interface CapturedMail {
  /** The recipient, as stored on the user (GoTrue lower-cases addresses). */
  to: string;
  type: EmailActionType;
  /** {{ .Token }}: the plain one-time code; the database only ever holds its hash. */
  token: string;
  /** {{ .TokenHash }}: what the database stores and what verify accepts as token_hash. */
  token_hash: string;
  /** {{ .RedirectTo }}: the request's redirect_to when allowed, otherwise the site URL. */
  redirect_to: string;
  /** {{ .SiteURL }}: config.toml's auth.site_url. */
  site_url: string;
  /** {{ .ConfirmationURL }}: the link GoTrue builds (GET /verify, which this fake does not serve). */
  confirmation_url: string;
  /** {{ .Data }}: the user's user_metadata when the mail was sent (our templates pick the language from it). */
  data: Record<string, unknown>;
  user_id: string;
  /** On the fake's clock (setNow). */
  sent_at: string;
}

export interface AuthFake extends Fake {
  /** Freeze the fake's clock at `at` (every timestamp it writes and every expiry it checks), or unfreeze with null. */
  setNow(at: Date | null): void;
  /** Replace the published public keys, as a project does when it rotates its signing keys. */
  publish(keys: JWK[]): void;
  /** The captured mail, oldest first; only that to `to` (any letter case) when given. Same as GET /_fake/mail. */
  mail(to?: string): CapturedMail[];
}

type Json = Record<string, unknown>;
type Tx = postgres.TransactionSql;

interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  invited_at: Date | null;
  confirmation_token: string | null;
  confirmation_sent_at: Date | null;
  recovery_token: string | null;
  recovery_sent_at: Date | null;
  email_change_token_new: string | null;
  email_change: string | null;
  email_change_sent_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Json | null;
  raw_user_meta_data: Json | null;
  created_at: Date | null;
  updated_at: Date | null;
  phone: string | null;
  phone_confirmed_at: Date | null;
  phone_change: string | null;
  phone_change_token: string | null;
  phone_change_sent_at: Date | null;
  confirmed_at: Date | null;
  email_change_token_current: string | null;
  banned_until: Date | null;
  reauthentication_sent_at: Date | null;
  deleted_at: Date | null;
  is_anonymous: boolean;
}

interface IdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Json;
  provider: string;
  last_sign_in_at: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
  email: string | null;
}

interface SessionRow {
  id: string;
  user_id: string;
  created_at: Date;
  not_after: Date | null;
  refreshed_at: Date | null;
}

interface RefreshTokenRow {
  id: string;
  token: string;
  user_id: string;
  parent: string | null;
  session_id: string | null;
  revoked: boolean;
  updated_at: Date;
}

const NIL_UUID = "00000000-0000-0000-0000-000000000000";
const AUD = "authenticated";
const ADMIN_ROLES = ["service_role", "supabase_admin"];
const INVALID_LOGIN = "Invalid login credentials";

// ---------------------------------------------------------------------------------------------
// bcrypt ($2a$, cost 10 like GoTrue's Go bcrypt; verifies $2a/$2b/$2y of any cost, e.g. pgcrypto's)
// ---------------------------------------------------------------------------------------------

/** Blowfish's initial P-array and S-boxes: the fractional hex digits of pi (Machin's formula in BigInt). */
const blowfishInit: Uint32Array = (() => {
  const words = 18 + 1024;
  const bits = BigInt(words * 32 + 64);
  const one = 1n << bits;
  const arctanInverse = (x: bigint): bigint => {
    let sum = 0n;
    let power = one / x;
    const x2 = x * x;
    for (let k = 1n, sign = 1n; power !== 0n; k += 2n, sign = -sign, power /= x2) sum += (sign * power) / k;
    return sum;
  };
  let frac = 16n * arctanInverse(5n) - 4n * arctanInverse(239n) - 3n * one;
  const out = new Uint32Array(words);
  for (let i = 0; i < words; i++) {
    frac <<= 32n;
    const word = frac >> bits;
    out[i] = Number(word);
    frac -= word << bits;
  }
  return out;
})();

function blowfishF(s: Uint32Array, x: number): number {
  return (((s[x >>> 24]! + s[256 + ((x >>> 16) & 255)]!) ^ s[512 + ((x >>> 8) & 255)]!) + s[768 + (x & 255)]!) >>> 0;
}

function encipher(p: Uint32Array, s: Uint32Array, lr: Uint32Array, off: number): void {
  let l = lr[off]! ^ p[0]!;
  let r = lr[off + 1]!;
  for (let i = 1; i <= 16; i += 2) {
    r ^= blowfishF(s, l) ^ p[i]!;
    l ^= blowfishF(s, r) ^ p[i + 1]!;
  }
  lr[off] = r ^ p[17]!;
  lr[off + 1] = l;
}

function streamWord(data: Uint8Array, cursor: { at: number }): number {
  let word = 0;
  for (let i = 0; i < 4; i++) {
    word = (word << 8) | data[cursor.at]!;
    cursor.at = (cursor.at + 1) % data.length;
  }
  return word;
}

/** Blowfish_expandstate (salt given) / Blowfish_expand0state (salt null). */
function expand(p: Uint32Array, s: Uint32Array, key: Uint8Array, salt: Uint8Array | null): void {
  const keyCursor = { at: 0 };
  for (let i = 0; i < 18; i++) p[i] = p[i]! ^ streamWord(key, keyCursor);
  const saltCursor = { at: 0 };
  const lr = new Uint32Array(2);
  const fill = (target: Uint32Array, length: number) => {
    for (let i = 0; i < length; i += 2) {
      if (salt !== null) {
        lr[0] = lr[0]! ^ streamWord(salt, saltCursor);
        lr[1] = lr[1]! ^ streamWord(salt, saltCursor);
      }
      encipher(p, s, lr, 0);
      target[i] = lr[0]!;
      target[i + 1] = lr[1]!;
    }
  };
  fill(p, 18);
  fill(s, 1024);
}

const BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function bcryptBase64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const c1 = bytes[i]!;
    out += BCRYPT_ALPHABET[c1 >> 2];
    if (i + 1 >= bytes.length) {
      out += BCRYPT_ALPHABET[(c1 & 3) << 4];
      break;
    }
    const c2 = bytes[i + 1]!;
    out += BCRYPT_ALPHABET[((c1 & 3) << 4) | (c2 >> 4)];
    if (i + 2 >= bytes.length) {
      out += BCRYPT_ALPHABET[(c2 & 15) << 2];
      break;
    }
    const c3 = bytes[i + 2]!;
    out += `${BCRYPT_ALPHABET[((c2 & 15) << 2) | (c3 >> 6)]}${BCRYPT_ALPHABET[c3 & 63]}`;
  }
  return out;
}

function bcryptUnbase64(text: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let bits = 0;
  let value = 0;
  let n = 0;
  for (const ch of text) {
    value = (value << 6) | BCRYPT_ALPHABET.indexOf(ch);
    bits += 6;
    if (bits >= 8 && n < length) {
      bits -= 8;
      out[n++] = (value >> bits) & 255;
    }
  }
  return out;
}

function bcryptRaw(password: string, salt: Uint8Array, cost: number): Uint8Array {
  const key = new Uint8Array([...Buffer.from(password, "utf8"), 0].slice(0, 72));
  const p = blowfishInit.slice(0, 18);
  const s = blowfishInit.slice(18);
  expand(p, s, key, salt);
  for (let i = 0; i < 2 ** cost; i++) {
    expand(p, s, key, null);
    expand(p, s, salt, null);
  }
  const ctext = new Uint32Array(6);
  const magic = Buffer.from("OrpheanBeholderScryDoubt");
  for (let i = 0; i < 6; i++) ctext[i] = magic.readUInt32BE(i * 4);
  for (let i = 0; i < 64; i++) for (let j = 0; j < 6; j += 2) encipher(p, s, ctext, j);
  const out = Buffer.alloc(24);
  for (let i = 0; i < 6; i++) out.writeUInt32BE(ctext[i]!, i * 4);
  return out.subarray(0, 23);
}

export function bcryptHash(password: string, cost = 10): string {
  const salt = randomBytes(16);
  return `$2a$${String(cost).padStart(2, "0")}$${bcryptBase64(salt)}${bcryptBase64(bcryptRaw(password, salt, cost))}`;
}

export function bcryptVerify(password: string, hash: string): boolean {
  const match = /^\$2[aby]\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/.exec(hash);
  if (match === null) return false;
  const raw = bcryptRaw(password, bcryptUnbase64(match[2]!, 16), Number(match[1]));
  return bcryptBase64(raw) === match[3];
}

// ---------------------------------------------------------------------------------------------
// Small GoTrue helpers
// ---------------------------------------------------------------------------------------------

/** crypto.GenerateTokenHash: sha224 hex of the email or phone followed by the code. */
export function tokenHash(emailOrPhone: string, otp: string): string {
  return createHash("sha224").update(emailOrPhone + otp).digest("hex");
}

function generateOtp(digits: number): string {
  return String(randomInt(0, 10 ** digits)).padStart(digits, "0");
}

/** formatPhoneNumber + validateE164Format. */
function validatePhone(phone: string): string {
  const formatted = phone.replace(/^\+/, "").replaceAll(" ", "");
  if (!/^[1-9][0-9]{1,14}$/.test(formatted)) throw new AuthApiError(400, "validation_failed", "Invalid phone number format (E.164 required)");
  return formatted;
}

function validateEmail(email: string): string {
  const trimmed = email.trim();
  if (trimmed.length > 255) throw new AuthApiError(400, "validation_failed", "An email address is too long");
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(trimmed)) throw new AuthApiError(400, "validation_failed", "Unable to validate email address: invalid format");
  return trimmed.toLowerCase();
}

/** Go's time.ParseDuration in milliseconds, for ban_duration ("876000h", "1h30m", "-1.5h"). */
function parseGoDuration(text: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g;
  const sign = /^[-+]/.test(text) ? text.slice(0, 1) : "";
  const rest = text.slice(sign.length);
  if (rest === "0") return 0;
  if (rest === "" || rest.replace(part, "") !== "") {
    throw new AuthApiError(400, "validation_failed", `invalid format for ban duration: time: invalid duration "${text}"`);
  }
  const total = [...rest.matchAll(part)].reduce((sum, m) => sum + Number(m[1]) * units[m[2]!]!, 0);
  return sign === "-" ? -total : total;
}

function iso(date: Date | null): string | undefined {
  return date === null ? undefined : date.toISOString();
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** UpdateUserMetaData / UpdateAppMetaData: keys set to null are removed. */
function mergeMetadata(current: Json | null, updates: Json): Json {
  const merged: Json = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(updates)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

function identityJson(identity: IdentityRow): Json {
  return {
    identity_id: identity.id,
    id: identity.provider_id,
    user_id: identity.user_id,
    identity_data: identity.identity_data,
    provider: identity.provider,
    last_sign_in_at: iso(identity.last_sign_in_at),
    created_at: iso(identity.created_at),
    updated_at: iso(identity.updated_at),
    ...(identity.email ? { email: identity.email } : {}),
  };
}

/** models.User as GoTrue serialises it (omitempty fields left out when unset). */
function userJson(user: UserRow, identities: IdentityRow[]): Json {
  const optional: [string, Date | string | null][] = [
    ["email_confirmed_at", user.email_confirmed_at], ["invited_at", user.invited_at],
    ["confirmation_sent_at", user.confirmation_sent_at], ["confirmed_at", user.confirmed_at],
    ["recovery_sent_at", user.recovery_sent_at], ["new_email", user.email_change || null],
    ["email_change_sent_at", user.email_change_sent_at], ["new_phone", user.phone_change || null],
    ["phone_change_sent_at", user.phone_change_sent_at], ["reauthentication_sent_at", user.reauthentication_sent_at],
    ["last_sign_in_at", user.last_sign_in_at], ["phone_confirmed_at", user.phone_confirmed_at],
    ["banned_until", user.banned_until], ["deleted_at", user.deleted_at],
  ];
  return {
    id: user.id,
    aud: user.aud ?? "",
    role: user.role ?? "",
    email: user.email ?? "",
    phone: user.phone ?? "",
    ...Object.fromEntries(optional.flatMap(([k, v]) => (v === null ? [] : [[k, v instanceof Date ? v.toISOString() : v]]))),
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    identities: identities.map(identityJson),
    created_at: iso(user.created_at),
    updated_at: iso(user.updated_at),
    is_anonymous: user.is_anonymous,
  };
}

/** What GoTrue answers for an error, in the legacy shape or, when the client asks for API version 2024-01-01, the new one. */
function errorResponse(error: AuthApiError, modern: boolean): Response {
  const code = error.code || (error.status === 500 ? "unexpected_failure" : "unknown");
  const headers: Record<string, string> = { "x-sb-error-code": code };
  if (modern) {
    headers["x-supabase-api-version"] = "2024-01-01";
    return Response.json({ code, message: error.message, ...error.extra }, { status: error.status, headers });
  }
  return Response.json({ code: error.status, error_code: code, msg: error.message, ...error.extra }, { status: error.status, headers });
}

async function readJson(req: Request): Promise<Json> {
  const text = await req.text();
  if (text.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (isObject(parsed)) return parsed;
  } catch (error) {
    throw new AuthApiError(400, "bad_json", `Could not parse request body as JSON: ${(error as Error).message}`);
  }
  throw new AuthApiError(400, "bad_json", "Could not parse request body as JSON: the body is not an object");
}

const str = (value: unknown): string => (typeof value === "string" ? value : "");

/**
 * crypto.GeneratePassword(requiredCharacters, 33): the throwaway password of a user created by an email
 * OTP, with one character of each required set so that it passes the project's password rules.
 */
function generatePassword(requiredSets: string[], length: number): string {
  const all = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const chars = requiredSets.filter((set) => set.length > 0).map((set) => set[randomInt(set.length)]!);
  while (chars.length < length) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join("");
}

/** Go's url.QueryEscape: everything but [A-Za-z0-9_.~-] percent-encoded, spaces as "+". */
function goQueryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll("%20", "+");
}

/** templatemailer's encodeRedirectURL: escaped only when it holds &, = or # (otherwise taken as already encoded). */
function encodeRedirectUrl(url: string): string {
  return /[&=#]/.test(url) ? goQueryEscape(url) : url;
}

/**
 * The host of a URL as Go's url.Parse(...).Hostname() sees it: as written, brackets of IPv6 stripped, ""
 * for a relative URL. WHATWG URL would rewrite "http://2130706433/" to 127.0.0.1, which GoTrue refuses.
 */
function goHostname(url: string): string {
  const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/.exec(url);
  return match === null ? "" : match[1]!.replace(/^\[(.*)\]$/, "$1");
}

function isLoopback(ip: string): boolean {
  if (isIP(ip) === 4) return ip.startsWith("127.");
  const lower = ip.toLowerCase();
  return lower === "::1" || lower === "0:0:0:0:0:0:0:1" || /^::ffff:127\./.test(lower);
}

/**
 * A redirect allow-list entry as GoTrue compiles it (gobwas/glob with separators "." and "/"): `**` any
 * text, `*` and `?` any text / one character without a separator, `{a,b}` alternatives, `[...]` classes.
 */
export function redirectGlob(pattern: string): RegExp {
  let out = "";
  let alternatives = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "*" && pattern[i + 1] === "*") {
      out += ".*";
      i++;
    } else if (ch === "*") out += "[^./]*";
    else if (ch === "?") out += "[^./]";
    else if (ch === "{") {
      alternatives++;
      out += "(?:";
    } else if (ch === "}" && alternatives > 0) {
      alternatives--;
      out += ")";
    } else if (ch === "," && alternatives > 0) out += "|";
    else if (ch === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end === -1) {
        out += "\\[";
        continue;
      }
      const body = pattern.slice(i + 1, end);
      out += `[${body.startsWith("!") ? `^${body.slice(1)}` : body}]`;
      i = end;
    } else if (ch === "\\" && i + 1 < pattern.length) {
      out += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    } else out += ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

/** validatePKCEParams, narrowed: the fake issues no flow states or auth codes, so a PKCE request must fail loudly. */
function rejectPkce(body: Json): void {
  if (str(body.code_challenge) !== "" || str(body.code_challenge_method) !== "") {
    throw new AuthApiError(400, "validation_failed", "The Auth fake does not implement PKCE (code_challenge)");
  }
}

/** config.toml's [auth] site_url and additional_redirect_urls, with the CLI's defaults. */
function projectRedirectConfig(): { siteUrl: string; additionalRedirectUrls: string[] } {
  const doc: unknown = parseToml(readFileSync(join(repoRoot, "supabase/config.toml"), "utf8"));
  const auth = isObject(doc) && isObject(doc.auth) ? doc.auth : {};
  const urls = Array.isArray(auth.additional_redirect_urls) ? auth.additional_redirect_urls.filter((u) => typeof u === "string") : null;
  return {
    siteUrl: typeof auth.site_url === "string" ? auth.site_url : "http://127.0.0.1:3000",
    additionalRedirectUrls: urls ?? ["https://127.0.0.1:3000"],
  };
}

// ---------------------------------------------------------------------------------------------
// The fake
// ---------------------------------------------------------------------------------------------

export async function startAuthFake(options: AuthFakeOptions): Promise<AuthFake> {
  const settings = options.settings;
  const keys = options.keys;
  let published: JWK[] = options.jwks ?? publicJwks(keys).keys;
  let frozen: Date | null = null;
  const now = () => (frozen === null ? new Date() : new Date(frozen.getTime()));

  const dbUrl = new URL(options.dbUrl);
  dbUrl.username = "supabase_auth_admin";
  dbUrl.password = "postgres";
  const sql = postgres(dbUrl.toString(), { max: 8, onnotice: () => {}, idle_timeout: 20 });

  const sign = (claims: Json) => signAccessToken(keys, claims);

  // ---- mail ----------------------------------------------------------------------------------

  // config.toml is read only when the caller does not give both (the stack passes neither).
  const project = options.siteUrl !== undefined && options.additionalRedirectUrls !== undefined ? null : projectRedirectConfig();
  const siteUrl = options.siteUrl ?? project?.siteUrl ?? "";
  const allowList = (options.additionalRedirectUrls ?? project?.additionalRedirectUrls ?? []).map(redirectGlob);
  const outbox: CapturedMail[] = [];

  function mailTo(to?: string | null): CapturedMail[] {
    if (to === undefined || to === null) return outbox.slice();
    return outbox.filter((m) => m.to.toLowerCase() === to.toLowerCase());
  }

  /** utilities.IsRedirectURLValid: the site's host, a loopback IP, or an allow-list glob (decimal IPs never). */
  function isRedirectUrlValid(url: string): boolean {
    if (url === "") return false;
    const host = goHostname(url);
    if (host === goHostname(siteUrl)) return true;
    if (/^[0-9]+$/.test(host)) return false;
    if (isIP(host) !== 0) return isLoopback(host);
    return allowList.some((glob) => glob.test(url));
  }

  /** utilities.GetReferrer: redirect_to (header, then query string), then Referer, each only when allowed; else the site URL. */
  function referrer(req: Request): string {
    const requested = req.headers.get("redirect_to") || new URL(req.url).searchParams.get("redirect_to") || "";
    if (isRedirectUrlValid(requested)) return requested;
    const referer = req.headers.get("referer") ?? "";
    return isRedirectUrlValid(referer) ? referer : siteUrl;
  }

  /**
   * sendEmail without SMTP: the message is captured with what the template would render. Called where
   * GoTrue sends, inside the transaction and before the token is stored, so a failure after it still
   * leaves the mail "sent", as with a real mailer.
   */
  function sendMail(req: Request, user: UserRow, type: EmailActionType, to: string, otp: string, hash: string): void {
    const redirectTo = referrer(req);
    outbox.push({
      to,
      type,
      token: otp,
      token_hash: hash,
      redirect_to: redirectTo,
      site_url: siteUrl,
      confirmation_url: `${options.apiUrl}/auth/v1/verify?token=${goQueryEscape(hash)}&type=${goQueryEscape(type)}&redirect_to=${encodeRedirectUrl(redirectTo)}`,
      data: user.raw_user_meta_data ?? {},
      user_id: user.id,
      sent_at: now().toISOString(),
    });
  }

  // ---- hooks --------------------------------------------------------------------------------

  function metadata(req: Request, name: string): Json {
    return { uuid: crypto.randomUUID(), time: now().toISOString(), name, ip_address: clientIp(req) };
  }

  function hookUrl(uri: string): string {
    if (options.hookOrigin === undefined) return uri;
    const url = new URL(uri);
    return new URL(url.pathname + url.search, options.hookOrigin).toString();
  }

  /** v1 symmetric Standard Webhooks signatures, one per `|`-separated secret (crypto.GenerateSignatures). */
  function signatures(secrets: string, id: string, timestamp: number, body: string): string {
    return secrets.split("|").map((secret) => {
      if (!secret.startsWith("v1,")) throw new AuthApiError(500, "", "Error generating signatures: invalid signature format");
      const key = Buffer.from(secret.slice(3).replace(/^whsec_/, ""), "base64");
      return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
    }).join(", ");
  }

  /** hookhttp.RunHTTPHook: 5 s for all attempts, 3 attempts, retrying 429/503 only with retry-after. */
  async function runHttpHook(hook: AuthHookConfig, event: Json): Promise<unknown> {
    const url = hookUrl(hook.uri);
    const body = JSON.stringify(event);
    const deadline = AbortSignal.timeout(5000);
    const timedOut = () => new AuthApiError(422, "hook_timeout", "Failed to reach hook within maximum time of 5.000000 seconds");
    for (let attempt = 0; attempt < 3; attempt++) {
      const id = crypto.randomUUID();
      // The receiver checks the timestamp against its own (real) clock, whatever the fake's clock says.
      const timestamp = Math.floor(Date.now() / 1000);
      let res: Response;
      try {
        res = await fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "webhook-id": id,
            "webhook-timestamp": String(timestamp),
            "webhook-signature": signatures(hook.secrets ?? "", id, timestamp, body),
            "accept-encoding": "identity",
          },
          body,
          signal: deadline,
        });
      } catch (error) {
        if (error instanceof AuthApiError) throw error;
        if (deadline.aborted) throw timedOut();
        if (attempt < 2) {
          await new Promise((resolve) => setTimeout(resolve, 2000));
          if (deadline.aborted) throw timedOut();
          continue;
        }
        throw new AuthApiError(422, "hook_timeout_after_retry", "Failed to reach hook after maximum retries");
      }
      switch (res.status) {
        case 200:
        case 202:
        case 204: {
          const contentType = res.headers.get("content-type") ?? "";
          if (contentType === "") {
            if (res.status === 204) return null;
            throw new AuthApiError(400, "hook_payload_invalid_content_type", "Invalid Content-Type: Missing Content-Type header");
          }
          if (contentType.split(";")[0]!.trim().toLowerCase() !== "application/json") {
            throw new AuthApiError(400, "hook_payload_invalid_content_type", `Invalid JSON response. Received content-type: ${contentType}`);
          }
          const text = await res.text();
          if (Buffer.byteLength(text) > 200 * 1024) {
            throw new AuthApiError(422, "hook_payload_over_size_limit", `Payload size exceeded size limit of ${200 * 1024} bytes`);
          }
          if (text.trim() === "") return null;
          let output: unknown;
          try {
            output = JSON.parse(text);
          } catch {
            throw new AuthApiError(500, "", "Error unmarshaling JSON output.");
          }
          checkHookError(output);
          return output;
        }
        case 429:
        case 503:
          await res.body?.cancel();
          if (res.headers.get("retry-after")) continue;
          throw new AuthApiError(500, "", "Service currently unavailable due to hook");
        case 400:
          throw new AuthApiError(500, "", "Invalid payload sent to hook");
        case 401:
          throw new AuthApiError(500, "", "Hook requires authorization token");
        default:
          throw new AuthApiError(500, "", `Unexpected status code returned from hook: ${res.status}`);
      }
    }
    throw new AuthApiError(500, "", "Service currently unavailable due to hook");
  }

  /** dispatch.Dispatch: Postgres hooks run in the caller's transaction, HTTP hooks over HTTP. */
  const dispatch: HookDispatcher = (tx, hook, event) => {
    if (hook.uri.startsWith("pg-functions:")) return runPgHook(tx, hook.uri, event);
    if (/^https?:/.test(hook.uri)) return runHttpHook(hook, event);
    throw new AuthApiError(500, "", `Error running hook URI: ${hook.uri}`);
  };

  /** A hook outside any transaction of the caller: GoTrue opens one for a Postgres hook. */
  function dispatchAlone(hook: AuthHookConfig, event: Json): Promise<unknown> {
    return sql.begin((tx) => dispatch(tx, hook, event));
  }

  // ---- users ----------------------------------------------------------------------------------

  async function identitiesOf(tx: postgres.Sql | Tx, userId: string): Promise<IdentityRow[]> {
    return tx<IdentityRow[]>`select * from auth.identities where user_id = ${userId} order by created_at, id`;
  }

  async function present(tx: postgres.Sql | Tx, user: UserRow): Promise<Json> {
    return userJson(user, await identitiesOf(tx, user.id));
  }

  async function userById(tx: postgres.Sql | Tx, id: string): Promise<UserRow | null> {
    const [row] = await tx<UserRow[]>`select * from auth.users where id = ${id}`;
    return row ?? null;
  }

  async function userByEmail(tx: postgres.Sql | Tx, email: string): Promise<UserRow | null> {
    const [row] = await tx<UserRow[]>`
      select * from auth.users
       where instance_id = ${NIL_UUID} and lower(email) = lower(${email}) and aud = ${AUD} and is_sso_user = false
       limit 1`;
    return row ?? null;
  }

  async function userByPhone(tx: postgres.Sql | Tx, phone: string): Promise<UserRow | null> {
    const [row] = await tx<UserRow[]>`
      select * from auth.users where instance_id = ${NIL_UUID} and phone = ${phone} and aud = ${AUD} limit 1`;
    return row ?? null;
  }

  const isBanned = (user: UserRow) => user.banned_until !== null && now() < user.banned_until;

  function checkPasswordStrength(password: string): void {
    if (password.length > 72) throw new AuthApiError(400, "validation_failed", "Password cannot be longer than 72 characters");
    const messages: string[] = [];
    const reasons: string[] = [];
    if (password.length < settings.passwordMinLength) {
      reasons.push("length");
      messages.push(`Password should be at least ${settings.passwordMinLength} characters.`);
    }
    const sets = settings.passwordRequiredCharacters;
    if (sets.some((set) => ![...set].some((ch) => password.includes(ch)))) {
      reasons.push("characters");
      messages.push(`Password should contain at least one character of each: ${sets.join(", ")}.`);
    }
    if (reasons.length > 0) throw new AuthApiError(422, "weak_password", messages.join(" "), { weak_password: { reasons } });
  }

  interface NewUser {
    email: string | null;
    phone: string | null;
    password: string | null;
    userMetadata: Json;
    providers: string[];
  }

  /** The user object before its INSERT, as the before_user_created hook sees it. */
  function unsavedUser(id: string, u: NewUser, at: Date): Json {
    return {
      id, aud: AUD, role: "", email: u.email ?? "", phone: u.phone ?? "",
      app_metadata: { provider: u.providers[0], providers: u.providers },
      user_metadata: u.userMetadata, identities: [], created_at: at.toISOString(), updated_at: at.toISOString(),
      is_anonymous: false,
    };
  }

  async function beforeUserCreated(req: Request, id: string, u: NewUser): Promise<void> {
    const hook = settings.hooks.beforeUserCreated;
    if (hook === null) return;
    await dispatchAlone(hook, { metadata: metadata(req, "before-user-created"), user: unsavedUser(id, u, now()) });
  }

  /**
   * The INSERT sequence of GoTrue's signup/admin create (see tests/db/helpers.sql tests.create_user):
   * the users row (role ''), its role, one identity per channel.
   */
  async function insertUser(tx: Tx, id: string, u: NewUser, identityExtra: Json = {}): Promise<UserRow> {
    const at = now();
    const hash = u.password === null ? "" : bcryptHash(u.password);
    await tx`
      insert into auth.users (
        instance_id, id, aud, role, email, encrypted_password, confirmation_token, recovery_token,
        email_change_token_new, email_change, raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
        phone, phone_change, phone_change_token, email_change_token_current, email_change_confirm_status,
        reauthentication_token, is_sso_user, is_anonymous
      ) values (
        ${NIL_UUID}, ${id}, ${AUD}, '', ${u.email}, ${hash}, '', '', '', '',
        ${sql.json({ provider: u.providers[0]!, providers: u.providers })}, ${sql.json(u.userMetadata as postgres.JSONValue)},
        ${at}, ${at}, ${u.phone}, '', '', '', 0, '', false, false
      )`;
    await tx`update auth.users set role = 'authenticated', updated_at = ${at} where id = ${id}`;
    for (const provider of u.providers) {
      const data = provider === "email"
        ? { sub: id, email: u.email, email_verified: false, phone_verified: false }
        : { sub: id, phone: u.phone, email_verified: false, phone_verified: false };
      await insertIdentity(tx, id, provider, { ...identityExtra, ...data }, at);
    }
    return (await userById(tx, id))!;
  }

  async function insertIdentity(tx: Tx, userId: string, provider: string, data: Json, at: Date): Promise<void> {
    await tx`
      insert into auth.identities (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
      values (${crypto.randomUUID()}, ${userId}, ${userId}, ${sql.json(data as postgres.JSONValue)}, ${provider}, ${at}, ${at}, ${at})`;
  }

  async function clearOneTimeTokens(tx: Tx, userId: string): Promise<void> {
    await tx`delete from auth.one_time_tokens where user_id = ${userId}`;
  }

  async function createOneTimeToken(tx: Tx, userId: string, type: string, hash: string, relatesTo: string): Promise<void> {
    await tx`delete from auth.one_time_tokens where user_id = ${userId} and token_type = ${type}::auth.one_time_token_type`;
    const at = now().toISOString().replace("Z", "");
    await tx`
      insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
      values (${crypto.randomUUID()}, ${userId}, ${type}::auth.one_time_token_type, ${hash}, ${relatesTo.toLowerCase()}, ${at}::timestamp, ${at}::timestamp)`;
  }

  /** User.Confirm: email confirmed, token cleared, user_metadata.email_verified, one-time tokens gone. */
  async function confirmEmail(tx: Tx, userId: string): Promise<void> {
    const at = now();
    await tx`
      update auth.users
         set confirmation_token = '', email_confirmed_at = ${at}, updated_at = ${at},
             raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || '{"email_verified": true}'::jsonb
       where id = ${userId}`;
    await clearOneTimeTokens(tx, userId);
  }

  async function confirmPhone(tx: Tx, userId: string): Promise<void> {
    const at = now();
    await tx`update auth.users set confirmation_token = '', phone_confirmed_at = ${at}, updated_at = ${at} where id = ${userId}`;
    await clearOneTimeTokens(tx, userId);
  }

  /** UpdateAppMetaDataProviders: provider/providers from the user's identities. */
  async function updateProviders(tx: Tx, userId: string): Promise<void> {
    const [row] = await tx<{ providers: string[] | null }[]>`
      select array_agg(provider order by first) as providers
        from (select provider, min(created_at) as first from auth.identities where user_id = ${userId} group by provider) p`;
    const providers = row?.providers ?? [];
    const patch: Json = { providers, ...(providers.length > 0 ? { provider: providers[0] } : {}) };
    await tx`
      update auth.users set raw_app_meta_data = coalesce(raw_app_meta_data, '{}'::jsonb) || ${sql.json(patch as postgres.JSONValue)},
             updated_at = ${now()}
       where id = ${userId}`;
  }

  /** validateSentWithinFrequencyLimit: refused while sent_at + max_frequency is still after now. */
  function frequencyLimit(sentAt: Date | null, maxSeconds: number, code: string): void {
    if (sentAt === null) return;
    const until = sentAt.getTime() + maxSeconds * 1000;
    if (until > now().getTime()) {
      const left = Math.trunc((until - now().getTime()) / 1000);
      throw new AuthApiError(429, code, `For security purposes, you can only request this after ${left} seconds.`);
    }
  }

  /** sendConfirmation: rate limit on confirmation_sent_at, the code mailed (captured), its hash stored. */
  async function sendEmailConfirmation(req: Request, tx: Tx, user: UserRow): Promise<void> {
    frequencyLimit(user.confirmation_sent_at, settings.email.maxFrequencySeconds, "over_email_send_rate_limit");
    const email = user.email ?? "";
    const otp = generateOtp(settings.email.otpLength);
    const hash = tokenHash(email, otp);
    sendMail(req, user, "signup", email, otp, hash);
    await tx`update auth.users set confirmation_token = ${hash}, confirmation_sent_at = ${now()}, updated_at = ${now()} where id = ${user.id}`;
    await createOneTimeToken(tx, user.id, "confirmation_token", hash, email);
  }

  /**
   * sendPasswordRecovery / sendMagicLink: a magic link is a recovery with another template, so both keep
   * their code in recovery_token and share the recovery_sent_at rate-limit timer (mail.go says so).
   */
  async function sendRecoveryToken(req: Request, tx: Tx, user: UserRow, type: "recovery" | "magiclink"): Promise<void> {
    frequencyLimit(user.recovery_sent_at, settings.email.maxFrequencySeconds, "over_email_send_rate_limit");
    const email = user.email ?? "";
    const otp = generateOtp(settings.email.otpLength);
    const hash = tokenHash(email, otp);
    sendMail(req, user, type, email, otp, hash);
    const at = now();
    await tx`update auth.users set recovery_token = ${hash}, recovery_sent_at = ${at}, updated_at = ${at} where id = ${user.id}`;
    await createOneTimeToken(tx, user.id, "recovery_token", hash, email);
  }

  /** sendPhoneConfirmation: rate limit, test OTP or a new code through the send_sms hook, hashed code stored. */
  async function sendPhoneConfirmation(req: Request, tx: Tx, user: UserRow, phone: string, otpType: "confirmation" | "phone_change"): Promise<string> {
    const sentAt = otpType === "confirmation" ? user.confirmation_sent_at : user.phone_change_sent_at;
    frequencyLimit(sentAt, settings.sms.maxFrequencySeconds, "over_sms_send_rate_limit");
    let otp = settings.sms.testOtp[phone];
    let messageId = "";
    if (otp !== undefined) {
      messageId = "test-otp";
    } else {
      otp = generateOtp(settings.sms.otpLength);
      const hook = settings.hooks.sendSms;
      if (hook === null) {
        throw new AuthApiError(422, "sms_send_failed", `Error sending ${otpType} OTP to provider: the Auth fake sends SMS only through the send_sms hook`);
      }
      await dispatch(tx, hook, {
        metadata: metadata(req, "send-sms"),
        user: await present(tx, user),
        sms: { otp, sms_type: otpType, phone },
      });
    }
    const hash = tokenHash(phone, otp);
    const at = now();
    if (otpType === "confirmation") {
      await tx`update auth.users set confirmation_token = ${hash}, confirmation_sent_at = ${at}, updated_at = ${at} where id = ${user.id}`;
      await createOneTimeToken(tx, user.id, "confirmation_token", hash, user.phone ?? phone);
    } else {
      await tx`
        update auth.users set phone_change = ${phone}, phone_change_token = ${hash}, phone_change_sent_at = ${at}, updated_at = ${at}
         where id = ${user.id}`;
      await createOneTimeToken(tx, user.id, "phone_change_token", hash, phone);
    }
    return messageId;
  }

  // ---- sessions ------------------------------------------------------------------------------

  function clientIp(req: Request): string {
    return req.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || "127.0.0.1";
  }

  async function tokenResponse(tx: Tx, req: Request, user: UserRow, sessionId: string, refreshToken: string, method: AuthenticationMethod): Promise<Json> {
    const token = await mintAccessToken(tx, user, sessionId, method, {
      apiUrl: options.apiUrl,
      jwtExpiry: settings.jwtExpiry,
      now: now(),
      hook: settings.hooks.customAccessToken,
      sign,
      dispatch,
      metadata: metadata(req, "customize-access-token"),
    });
    const fresh = (await userById(tx, user.id))!;
    return {
      access_token: token.accessToken,
      token_type: "bearer",
      expires_in: settings.jwtExpiry,
      expires_at: token.expiresAt,
      refresh_token: refreshToken,
      user: await present(tx, fresh),
    };
  }

  /** IssueRefreshToken: a new session for `user`, in a transaction of its own. */
  function issueSession(req: Request, user: UserRow, method: AuthenticationMethod): Promise<Json> {
    return sql.begin(async (tx) => {
      const grant = await grantSession(tx, user.id, { now: now(), method, userAgent: req.headers.get("user-agent") ?? undefined, ip: clientIp(req) });
      return tokenResponse(tx, req, user, grant.sessionId, grant.refreshToken, method);
    });
  }

  function sessionExpired(session: SessionRow): boolean {
    const at = now().getTime();
    if (session.not_after !== null && at > session.not_after.getTime()) return true;
    const timebox = settings.sessionTimeboxSeconds;
    if (timebox !== null && at > session.created_at.getTime() + timebox * 1000) return true;
    const inactivity = settings.sessionInactivityTimeoutSeconds;
    const lastRefresh = session.refreshed_at ?? session.created_at;
    return inactivity !== null && at > lastRefresh.getTime() + inactivity * 1000;
  }

  // ---- request authentication ----------------------------------------------------------------

  /**
   * The API gateway in front of Auth: an `apikey` of this project (its answer when there is none), and
   * the new publishable/secret keys standing in for the anon/service_role JWTs when no other JWT is sent.
   */
  function gateway(req: Request, path: string): Request | Response {
    if (path === "/verify") return req;
    const apikey = req.headers.get("apikey") ?? new URL(req.url).searchParams.get("apikey");
    if (!apikey) return Response.json({ message: "No API key found in request" }, { status: 401 });
    const asJwt: Record<string, string> = {
      [keys.anonKey]: keys.anonKey,
      [keys.serviceRoleKey]: keys.serviceRoleKey,
      [keys.publishableKey]: keys.anonKey,
      [keys.secretKey]: keys.serviceRoleKey,
    };
    const jwt = asJwt[apikey];
    if (jwt === undefined) {
      return Response.json({ message: "Invalid API key", hint: "Double check your Supabase `anon` or `service_role` API key." }, { status: 401 });
    }
    const authorization = req.headers.get("authorization");
    if (jwt !== apikey && (authorization === null || authorization === `Bearer ${apikey}`)) {
      const headers = new Headers(req.headers);
      headers.set("authorization", `Bearer ${jwt}`);
      return new Request(req, { headers });
    }
    return req;
  }

  async function verifyJwt(req: Request): Promise<JWTPayload> {
    const token = /^Bearer (\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
    if (token === undefined) throw new AuthApiError(401, "no_authorization", "This endpoint requires a Bearer token");
    try {
      const currentDate = now();
      if (decodeProtectedHeader(token).alg === "HS256") {
        return (await jwtVerify(token, new TextEncoder().encode(keys.jwtSecret), { algorithms: ["HS256"], currentDate })).payload;
      }
      return (await jwtVerify(token, createLocalJWKSet({ keys: published }), { algorithms: ["ES256", "RS256"], currentDate })).payload;
    } catch (error) {
      const reason = error instanceof joseErrors.JWTExpired ? "token has invalid claims: token is expired" : (error as Error).message;
      throw new AuthApiError(403, "bad_jwt", `invalid JWT: unable to parse or verify signature, ${reason}`);
    }
  }

  /** requireAuthentication: a valid JWT whose user and session still exist. */
  async function requireUser(req: Request): Promise<{ user: UserRow; session: SessionRow | null; claims: JWTPayload }> {
    const claims = await verifyJwt(req);
    if (!claims.sub) throw new AuthApiError(403, "bad_jwt", "invalid claim: missing sub claim");
    if (!/^[0-9a-f-]{36}$/i.test(claims.sub)) throw new AuthApiError(400, "bad_jwt", "invalid claim: sub claim must be a UUID");
    const user = await userById(sql, claims.sub);
    if (user === null) throw new AuthApiError(403, "user_not_found", "User from sub claim in JWT does not exist");
    const sessionId = typeof claims.session_id === "string" ? claims.session_id : "";
    let session: SessionRow | null = null;
    if (sessionId !== "" && sessionId !== NIL_UUID) {
      [session = null] = await sql<SessionRow[]>`select * from auth.sessions where id = ${sessionId}`;
      if (session === null) throw new AuthApiError(403, "session_not_found", "Session from session_id claim in JWT does not exist");
    }
    return { user, session, claims };
  }

  async function requireAdmin(req: Request): Promise<void> {
    const claims = await verifyJwt(req);
    if (!ADMIN_ROLES.includes(String(claims.role))) throw new AuthApiError(403, "not_admin", "User not allowed");
  }

  // ---- endpoints ----------------------------------------------------------------------------

  async function signup(req: Request): Promise<Response> {
    if (!settings.enableSignup) throw new AuthApiError(422, "signup_disabled", "Signups not allowed for this instance");
    const body = await readJson(req);
    const provider = str(body.email) !== "" ? "email" : str(body.phone) !== "" ? "phone" : "";
    const data = isObject(body.data) ? body.data : {};
    const password = str(body.password);
    if (password === "") throw new AuthApiError(400, "validation_failed", "Signup requires a valid password");
    checkPasswordStrength(password);
    if (str(body.email) !== "" && str(body.phone) !== "") {
      throw new AuthApiError(400, "validation_failed", "Only an email address or phone number should be provided on signup.");
    }
    return Response.json(await signupFlow(req, provider, str(body.email), str(body.phone), password, data));
  }

  /** Signup, also reached from /otp for a new phone (with a random password), as GoTrue does. */
  async function signupFlow(req: Request, provider: string, rawEmail: string, rawPhone: string, password: string, data: Json): Promise<Json> {
    let email: string | null = null;
    let phone: string | null = null;
    let existing: UserRow | null;
    if (provider === "email") {
      if (!settings.email.enabled) throw new AuthApiError(400, "email_provider_disabled", "Email signups are disabled");
      email = validateEmail(rawEmail);
      existing = await userByEmail(sql, email);
    } else if (provider === "phone") {
      if (!settings.sms.enabled) throw new AuthApiError(400, "phone_provider_disabled", "Phone signups are disabled");
      phone = validatePhone(rawPhone);
      existing = await userByPhone(sql, phone);
    } else {
      throw new AuthApiError(400, "validation_failed", "Sign up only available with email or phone provider");
    }
    const autoconfirm = provider === "email" ? !settings.email.confirmations : !settings.sms.confirmations;
    if (existing !== null && (provider === "email" ? existing.email_confirmed_at !== null : existing.phone_confirmed_at !== null)) {
      if (!settings.email.confirmations || !settings.sms.confirmations) {
        throw new AuthApiError(422, "user_already_exists", "User already registered");
      }
      // sanitizeUser: a made-up user, so that signup does not reveal which addresses are registered.
      const at = now();
      return userJson({
        ...existing, id: crypto.randomUUID(), role: "", email_change: "", created_at: at, updated_at: at, confirmation_sent_at: at,
        last_sign_in_at: null, confirmed_at: null, email_change_sent_at: null, email_confirmed_at: null, phone_confirmed_at: null,
        raw_user_meta_data: data, raw_app_meta_data: { provider, providers: [provider] },
        email: provider === "email" ? existing.email : null, phone: provider === "phone" ? existing.phone : null,
      }, []);
    }
    const id = existing?.id ?? crypto.randomUUID();
    const newUser: NewUser = { email, phone, password, userMetadata: data, providers: [provider] };
    if (existing === null) await beforeUserCreated(req, id, newUser);
    const user = await sql.begin(async (tx) => {
      let user = existing ?? await insertUser(tx, id, newUser, data).catch(() => {
        throw new AuthApiError(500, "", "Database error saving new user");
      });
      if (provider === "email") {
        if (autoconfirm) await confirmEmail(tx, user.id);
        else await sendEmailConfirmation(req, tx, user);
      } else if (autoconfirm) {
        await confirmPhone(tx, user.id);
      } else {
        await sendPhoneConfirmation(req, tx, user, phone!, "confirmation");
      }
      user = (await userById(tx, user.id))!;
      return user;
    });
    if (user.email_confirmed_at !== null || user.phone_confirmed_at !== null) return issueSession(req, user, "password");
    return present(sql, user);
  }

  async function otp(req: Request): Promise<Response> {
    const body = await readJson(req);
    const createUser = body.create_user !== false;
    const data = isObject(body.data) ? body.data : {};
    if (str(body.email) !== "" && str(body.phone) !== "") {
      throw new AuthApiError(400, "validation_failed", "Only an email address or phone number should be provided");
    }
    if (str(body.email) !== "") {
      if (str(body.channel) !== "") throw new AuthApiError(400, "validation_failed", "Channel should only be specified with Phone OTP");
      rejectPkce(body);
      return magicLink(req, str(body.email), createUser, data);
    }
    if (str(body.phone) === "") throw new AuthApiError(400, "validation_failed", "One of email or phone must be set");
    if (!settings.sms.enabled) throw new AuthApiError(400, "phone_provider_disabled", "Unsupported phone provider");
    const phone = validatePhone(str(body.phone));
    let user = await userByPhone(sql, phone);
    if (!createUser && user === null) throw new AuthApiError(422, "otp_disabled", "Signups not allowed for otp");
    if (user === null || user.phone_confirmed_at === null) {
      // password.Generate(64, 10, 1, false, true): a throwaway password that passes any strength rule.
      const password = `${randomBytes(24).toString("base64url").slice(0, 26)}Aa1!${generateOtp(10)}`;
      await signupFlow(req, "phone", phone, phone, password, data);
      if (settings.sms.confirmations) return Response.json({});
      // Autoconfirmed signups get their code like an existing user.
      user = (await userByPhone(sql, phone))!;
    }
    const confirmed = user;
    const messageId = await sql.begin((tx) => sendPhoneConfirmation(req, tx, confirmed, phone, "confirmation"));
    return Response.json(messageId === "" ? {} : { message_id: messageId });
  }

  /**
   * Otp with an email (MagicLink): a confirmed user gets a magic link; a new or unconfirmed one is signed
   * up with a throwaway password, and the confirmation mail (type signup) is the link, unless email
   * confirmations are off: then the new user is confirmed and gets a magic link too.
   */
  async function magicLink(req: Request, rawEmail: string, createUser: boolean, data: Json): Promise<Response> {
    if (!createUser) {
      // shouldCreateUser: an address that fails validation ends in the same 422 as an unknown one.
      let known: string | null = null;
      try {
        known = validateEmail(rawEmail);
      } catch (error) {
        if (!(error instanceof AuthApiError)) throw error;
      }
      if (known === null || (await userByEmail(sql, known)) === null) throw new AuthApiError(422, "otp_disabled", "Signups not allowed for otp");
    }
    if (!settings.email.enabled) throw new AuthApiError(422, "email_provider_disabled", "Email logins are disabled");
    const email = validateEmail(rawEmail);
    let user = await userByEmail(sql, email);
    if (user === null || user.email_confirmed_at === null) {
      if (!settings.enableSignup) throw new AuthApiError(422, "signup_disabled", "Signups not allowed for this instance");
      await signupFlow(req, "email", email, "", generatePassword(settings.passwordRequiredCharacters, 33), data);
      if (settings.email.confirmations) return Response.json({});
      user = (await userByEmail(sql, email))!;
    }
    const confirmed = user;
    await sql.begin((tx) => sendRecoveryToken(req, tx, confirmed, "magiclink"));
    return Response.json({});
  }

  /** Recover: 200 {} for an unknown address too, so that it reveals nothing; a known one gets a recovery code. */
  async function recover(req: Request): Promise<Response> {
    const body = await readJson(req);
    if (str(body.email) === "") throw new AuthApiError(400, "validation_failed", "Password recovery requires an email");
    const email = validateEmail(str(body.email));
    rejectPkce(body);
    const user = await userByEmail(sql, email);
    if (user !== null) await sql.begin((tx) => sendRecoveryToken(req, tx, user, "recovery"));
    return Response.json({});
  }

  async function verify(req: Request): Promise<Response> {
    const body = await readJson(req);
    const type = str(body.type);
    const token = str(body.token);
    let hash = str(body.token_hash);
    if (type === "") throw new AuthApiError(400, "validation_failed", "Verify requires a verification type");
    if ((token === "") === (hash === "")) throw new AuthApiError(400, "validation_failed", "Verify requires either a token or a token hash");
    let phone = "";
    let email = "";
    if (token !== "") {
      if (str(body.phone) !== "" && str(body.email) === "") {
        phone = validatePhone(str(body.phone));
        hash = tokenHash(phone, token);
      } else if (str(body.phone) === "" && str(body.email) !== "") {
        try {
          email = validateEmail(str(body.email));
        } catch (error) {
          // VerifyParams.Validate answers a bad address with its own 422.
          if (error instanceof AuthApiError) throw new AuthApiError(422, "validation_failed", "Invalid email format");
          throw error;
        }
        hash = tokenHash(email, token);
      } else {
        throw new AuthApiError(400, "validation_failed", "Only an email address or phone number should be provided on verify");
      }
    } else if (str(body.email) !== "" || str(body.phone) !== "" || str(body.redirect_to) !== "") {
      throw new AuthApiError(400, "validation_failed", "Only the token_hash and type should be provided");
    }
    if (type === "email_change") throw new AuthApiError(400, "validation_failed", "The Auth fake does not implement email_change verification");
    const emailTypes = ["signup", "invite", "recovery", "magiclink", "email"];
    // verifyTokenHash: a token hash is looked up among email tokens only.
    if (token === "" && !emailTypes.includes(type)) throw new AuthApiError(400, "validation_failed", "Invalid email verification type");
    if (![...emailTypes, "sms", "phone_change"].includes(type)) throw new AuthApiError(400, "validation_failed", "Unsupported verification type");
    const at = now();
    const expired = (sentAt: Date | null, expiry: number) => sentAt === null || at.getTime() > sentAt.getTime() + expiry * 1000;
    const valid = (expected: string | null, sentAt: Date | null, expiry: number) =>
      !!expected && sentAt !== null && !expired(sentAt, expiry) && (hash === expected || `pkce_${hash}` === expected);

    let user: UserRow | null;
    let kind = type;
    if (token === "") {
      const column = type === "signup" || type === "invite" ? "confirmation" : type === "email" ? "either" : "recovery";
      [user = null] = await sql<UserRow[]>`
        select * from auth.users
         where (${column !== "recovery"} and confirmation_token = ${hash}) or (${column !== "confirmation"} and recovery_token = ${hash})
         limit 1`;
      if (user === null) throw new AuthApiError(403, "otp_expired", "Email link is invalid or has expired");
      if (isBanned(user)) throw new AuthApiError(403, "user_banned", "User is banned");
      if (type === "email") kind = user.recovery_token === hash ? "magiclink" : "signup";
      const sentAt = kind === "signup" || kind === "invite" ? user.confirmation_sent_at : user.recovery_sent_at;
      if (expired(sentAt, settings.email.otpExpiry)) throw new AuthApiError(403, "otp_expired", "Email link is invalid or has expired");
    } else {
      if (type === "sms") user = await userByPhone(sql, phone);
      else if (type === "phone_change") [user = null] = await sql<UserRow[]>`select * from auth.users where phone_change = ${phone} and aud = ${AUD} limit 1`;
      else user = await userByEmail(sql, email);
      if (user === null) throw new AuthApiError(403, "otp_expired", "Token has expired or is invalid");
      if (isBanned(user)) throw new AuthApiError(403, "user_banned", "User is banned");
      let ok: boolean;
      if (type === "sms" || type === "phone_change") {
        const testOtp = settings.sms.testOtp[phone];
        ok = (testOtp !== undefined && token === testOtp) || (type === "sms"
          ? valid(user.confirmation_token, user.confirmation_sent_at, settings.sms.otpExpiry)
          : valid(user.phone_change_token, user.phone_change_sent_at, settings.sms.otpExpiry));
      } else if (type === "email") {
        ok = valid(user.confirmation_token, user.confirmation_sent_at, settings.email.otpExpiry);
        kind = ok ? "signup" : "magiclink";
        ok ||= valid(user.recovery_token, user.recovery_sent_at, settings.email.otpExpiry);
      } else if (type === "signup" || type === "invite") {
        ok = valid(user.confirmation_token, user.confirmation_sent_at, settings.email.otpExpiry);
      } else {
        ok = valid(user.recovery_token, user.recovery_sent_at, settings.email.otpExpiry);
      }
      if (!ok) throw new AuthApiError(403, "otp_expired", "Token has expired or is invalid");
    }
    const verified = user;
    const result = await sql.begin(async (tx) => {
      if (kind === "signup" || kind === "invite") {
        await confirmEmail(tx, verified.id);
        await tx`
          update auth.identities set identity_data = identity_data || '{"email_verified": true}'::jsonb, updated_at = ${now()}
           where user_id = ${verified.id} and email = lower(${verified.email ?? ""})`;
      } else if (kind === "recovery" || kind === "magiclink") {
        await tx`update auth.users set recovery_token = '', updated_at = ${now()} where id = ${verified.id}`;
        await clearOneTimeTokens(tx, verified.id);
        if (verified.email_confirmed_at === null) await confirmEmail(tx, verified.id);
      } else if (kind === "sms") {
        await confirmPhone(tx, verified.id);
      } else {
        await confirmPhoneChange(tx, verified, phone);
      }
      await updateProviders(tx, verified.id);
      const fresh = (await userById(tx, verified.id))!;
      const grant = await grantSession(tx, fresh.id, { now: now(), method: "otp", userAgent: req.headers.get("user-agent") ?? undefined, ip: clientIp(req) });
      return tokenResponse(tx, req, fresh, grant.sessionId, grant.refreshToken, "otp");
    });
    return Response.json(result);
  }

  /** smsVerify for phone_change: the phone identity follows, then User.ConfirmPhoneChange. */
  async function confirmPhoneChange(tx: Tx, user: UserRow, phone: string): Promise<void> {
    const at = now();
    const [identity] = await tx<IdentityRow[]>`select * from auth.identities where user_id = ${user.id} and provider = 'phone'`;
    if (identity === undefined) {
      await insertIdentity(tx, user.id, "phone", { sub: user.id, phone, email_verified: false, phone_verified: true }, at);
    } else {
      await tx`
        update auth.identities set identity_data = identity_data || ${sql.json({ phone, phone_verified: true })}, updated_at = ${at}
         where id = ${identity.id}`;
    }
    await tx`
      update auth.users set phone = phone_change, phone_change = '', phone_change_token = '', phone_confirmed_at = ${at}, updated_at = ${at}
       where id = ${user.id}`;
    await clearOneTimeTokens(tx, user.id);
  }

  async function passwordGrant(req: Request): Promise<Response> {
    const body = await readJson(req);
    const email = str(body.email);
    const password = str(body.password);
    if (email !== "" && str(body.phone) !== "") {
      throw new AuthApiError(400, "validation_failed", "Only an email address or phone number should be provided on login.");
    }
    let user: UserRow | null;
    if (email !== "") {
      if (!settings.email.enabled) throw new AuthApiError(422, "email_provider_disabled", "Email logins are disabled");
      user = await userByEmail(sql, email);
    } else if (str(body.phone) !== "") {
      if (!settings.sms.enabled) throw new AuthApiError(422, "phone_provider_disabled", "Phone logins are disabled");
      user = await userByPhone(sql, str(body.phone).replace(/^\+/, "").replaceAll(" ", ""));
    } else {
      throw new AuthApiError(400, "invalid_credentials", INVALID_LOGIN);
    }
    if (user === null) throw new AuthApiError(400, "invalid_credentials", INVALID_LOGIN);
    if (isBanned(user)) throw new AuthApiError(400, "user_banned", "User is banned");
    const valid = !!user.encrypted_password && bcryptVerify(password, user.encrypted_password);
    let weakPassword: Json | undefined;
    if (valid) {
      try {
        checkPasswordStrength(password);
      } catch (error) {
        if (error instanceof AuthApiError && error.code === "weak_password") {
          weakPassword = { message: error.message, ...(error.extra.weak_password as Json) };
        }
      }
    }
    const hook = settings.hooks.passwordVerificationAttempt;
    if (hook !== null) {
      const output = await dispatchAlone(hook, { metadata: metadata(req, "password-verification"), user_id: user.id, valid });
      if (isObject(output) && output.decision === "reject") {
        if (output.should_logout_user === true) await sql`delete from auth.sessions where user_id = ${user.id}`;
        const message = str(output.message) || "Further password verification attempts will be rejected.";
        throw new AuthApiError(400, "invalid_credentials", message);
      }
    }
    if (!valid) throw new AuthApiError(400, "invalid_credentials", INVALID_LOGIN);
    if (email !== "" && user.email_confirmed_at === null) throw new AuthApiError(400, "email_not_confirmed", "Email not confirmed");
    if (email === "" && user.phone_confirmed_at === null) throw new AuthApiError(400, "phone_not_confirmed", "Phone not confirmed");
    const response = await issueSession(req, user, "password");
    return Response.json(weakPassword === undefined ? response : { ...response, weak_password: weakPassword });
  }

  async function refreshGrant(req: Request): Promise<Response> {
    const body = await readJson(req);
    const presented = str(body.refresh_token);
    if (presented === "") throw new AuthApiError(400, "validation_failed", "refresh_token required");
    const [token] = await sql<RefreshTokenRow[]>`select * from auth.refresh_tokens where token = ${presented}`;
    const user = token === undefined ? null : await userById(sql, token.user_id);
    if (token === undefined || user === null) throw new AuthApiError(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
    if (isBanned(user)) throw new AuthApiError(400, "user_banned", "Invalid Refresh Token: User Banned");
    const [session] = token.session_id === null ? [] : await sql<SessionRow[]>`select * from auth.sessions where id = ${token.session_id}`;
    if (session === undefined) {
      await sql`delete from auth.refresh_tokens where id = ${token.id}`;
      throw new AuthApiError(400, "session_not_found", "Invalid Refresh Token: No Valid Session Found");
    }
    if (sessionExpired(session)) throw new AuthApiError(400, "session_expired", "Invalid Refresh Token: Session Expired");

    const outcome = await sql.begin(async (tx): Promise<Json | AuthApiError> => {
      const [locked] = await tx<RefreshTokenRow[]>`select * from auth.refresh_tokens where id = ${token.id} for update`;
      if (locked === undefined) throw new AuthApiError(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
      let issued = "";
      const at = now();
      if (locked.revoked) {
        const [active] = await tx<RefreshTokenRow[]>`
          select * from auth.refresh_tokens where session_id = ${session.id} and revoked is false order by id desc limit 1`;
        if (active !== undefined && active.parent === locked.token) {
          // The client lost the answer to its last refresh: it gets the token that answer held.
          issued = active.token;
        } else if (at.getTime() > locked.updated_at.getTime() + settings.refreshTokenReuseInterval * 1000) {
          if (settings.refreshTokenRotation) {
            await tx`update auth.refresh_tokens set revoked = true, updated_at = ${at} where session_id = ${session.id} and revoked = false`;
          }
          // GoTrue commits the revocation and still fails the request.
          return new AuthApiError(400, "refresh_token_already_used", "Invalid Refresh Token: Already Used");
        }
      }
      if (issued === "") {
        await tx`update auth.refresh_tokens set revoked = true, updated_at = ${at} where id = ${locked.id}`;
        issued = secureAlphanumeric();
        await tx`
          insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
          values (${NIL_UUID}, ${issued}, ${user.id}, false, ${at}, ${at}, ${locked.token}, ${session.id})`;
      }
      const result = await tokenResponse(tx, req, user, session.id, issued, "token_refresh");
      await tx`
        update auth.sessions set refreshed_at = ${at.toISOString().replace("Z", "")}::timestamp,
               user_agent = ${req.headers.get("user-agent")}, ip = ${clientIp(req)}
         where id = ${session.id}`;
      return result;
    });
    if (outcome instanceof AuthApiError) throw outcome;
    return Response.json(outcome);
  }

  async function logout(req: Request): Promise<Response> {
    const scope = new URL(req.url).searchParams.get("scope") ?? "global";
    if (!["", "global", "local", "others"].includes(scope)) throw new AuthApiError(400, "validation_failed", `Unsupported logout scope "${scope}"`);
    const { user, session } = await requireUser(req);
    if (session !== null && scope === "local") await sql`delete from auth.sessions where id = ${session.id}`;
    else if (session !== null && scope === "others") await sql`delete from auth.sessions where user_id = ${user.id} and id <> ${session.id}`;
    else await sql`delete from auth.sessions where user_id = ${user.id}`;
    return new Response(null, { status: 204 });
  }

  async function getUser(req: Request): Promise<Response> {
    const { user, claims } = await requireUser(req);
    const aud = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
    if (aud !== AUD) throw new AuthApiError(400, "validation_failed", "Token audience doesn't match request audience");
    return Response.json(await present(sql, user));
  }

  async function updateUser(req: Request): Promise<Response> {
    const { user, session } = await requireUser(req);
    const body = await readJson(req);
    const email = str(body.email) === "" ? "" : validateEmail(str(body.email));
    const phone = str(body.phone) === "" ? "" : validatePhone(str(body.phone));
    const password = typeof body.password === "string" ? body.password : null;
    if (password !== null) checkPasswordStrength(password);
    if (body.app_metadata !== undefined && body.app_metadata !== null) {
      throw new AuthApiError(403, "not_admin", "Updating app_metadata requires admin privileges");
    }
    if (email !== "" && email !== user.email && (await userByEmail(sql, email)) !== null) {
      throw new AuthApiError(422, "email_exists", "A user with this email address has already been registered");
    }
    if (phone !== "" && phone !== user.phone && (await userByPhone(sql, phone)) !== null) {
      throw new AuthApiError(422, "phone_exists", "A user with this phone number has already been registered");
    }
    let hash: string | null = null;
    if (password !== null) {
      if (settings.email.securePasswordChange && (session === null || now().getTime() > session.created_at.getTime() + 24 * 3600 * 1000)) {
        if (str(body.nonce) === "") throw new AuthApiError(400, "reauthentication_needed", "Password update requires reauthentication");
        throw new AuthApiError(422, "reauthentication_not_valid", "Requested nonce code is invalid");
      }
      if (password !== "" && !!user.encrypted_password && bcryptVerify(password, user.encrypted_password)) {
        throw new AuthApiError(422, "same_password", "New password should be different from the old password.");
      }
      hash = password === "" ? null : bcryptHash(password);
    }
    const updated = await sql.begin(async (tx) => {
      const at = now();
      if (password !== null) {
        await updatePassword(tx, user.id, hash, session?.id ?? null);
      }
      if (isObject(body.data)) {
        const current = (await userById(tx, user.id))!;
        await tx`
          update auth.users set raw_user_meta_data = ${sql.json(mergeMetadata(current.raw_user_meta_data, body.data) as postgres.JSONValue)},
                 updated_at = ${at}
           where id = ${user.id}`;
      }
      if (email !== "" && email !== user.email) {
        frequencyLimit(user.email_change_sent_at, settings.email.maxFrequencySeconds, "over_email_send_rate_limit");
        // sendEmailChange: a code to the new address and, with secure email change, one to the current address.
        const newOtp = generateOtp(settings.email.otpLength);
        const newHash = tokenHash(email, newOtp);
        const currentOtp = generateOtp(settings.email.otpLength);
        const currentHash = user.email ? tokenHash(user.email, currentOtp) : "";
        // Reloaded so that the mail's data shows user_metadata updated by this same request, as GoTrue's does.
        const sender = (await userById(tx, user.id))!;
        sendMail(req, sender, "email_change", email, newOtp, newHash);
        if (settings.email.doubleConfirmChanges && user.email) sendMail(req, sender, "email_change", user.email, currentOtp, currentHash);
        await tx`
          update auth.users set email_change = ${email}, email_change_token_new = ${newHash},
                 email_change_token_current = ${settings.email.doubleConfirmChanges ? currentHash : ""},
                 email_change_confirm_status = 0, email_change_sent_at = ${at}, updated_at = ${at}
           where id = ${user.id}`;
        await createOneTimeToken(tx, user.id, "email_change_token_new", newHash, email);
        if (settings.email.doubleConfirmChanges && user.email) {
          await createOneTimeToken(tx, user.id, "email_change_token_current", currentHash, user.email);
        }
      }
      if (phone !== "" && phone !== user.phone) {
        const current = (await userById(tx, user.id))!;
        if (settings.sms.confirmations) {
          await sendPhoneConfirmation(req, tx, current, phone, "phone_change");
        } else {
          await tx`update auth.users set phone_change = ${phone}, updated_at = ${at} where id = ${user.id}`;
          await confirmPhoneChange(tx, current, phone);
        }
      }
      return (await userById(tx, user.id))!;
    });
    return Response.json(await present(sql, updated));
  }

  /** User.UpdatePassword: tokens reset, one-time tokens gone, every other session (or all) logged out. */
  async function updatePassword(tx: Tx, userId: string, hash: string | null, keepSession: string | null): Promise<void> {
    await tx`
      update auth.users
         set encrypted_password = ${hash}, confirmation_token = '', confirmation_sent_at = null, recovery_token = '',
             recovery_sent_at = null, email_change_token_current = '', email_change_token_new = '', email_change_sent_at = null,
             phone_change_token = '', phone_change_sent_at = null, reauthentication_token = '', reauthentication_sent_at = null,
             updated_at = ${now()}
       where id = ${userId}`;
    await clearOneTimeTokens(tx, userId);
    if (keepSession === null) await tx`delete from auth.sessions where user_id = ${userId}`;
    else await tx`delete from auth.sessions where user_id = ${userId} and id <> ${keepSession}`;
  }

  // ---- admin --------------------------------------------------------------------------------

  async function adminListUsers(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const page = Number(url.searchParams.get("page") ?? "1");
    const perPage = Number(url.searchParams.get("per_page") ?? "50");
    if (!Number.isInteger(page) || page < 0 || !Number.isInteger(perPage) || perPage <= 0) {
      throw new AuthApiError(400, "validation_failed", "Bad Pagination Parameters: per_page must be greater than 0");
    }
    const [{ count } = { count: 0 }] = await sql<{ count: number }[]>`
      select count(*)::int as count from auth.users where instance_id = ${NIL_UUID} and aud = ${AUD}`;
    const offset = Math.max(page - 1, 0) * perPage;
    const rows = await sql<UserRow[]>`
      select * from auth.users where instance_id = ${NIL_UUID} and aud = ${AUD}
       order by created_at desc, id limit ${perPage} offset ${offset}`;
    const users = await Promise.all(rows.map((row) => present(sql, row)));
    const totalPages = Math.ceil(count / perPage);
    const link = (n: number) => {
      const next = new URL(url.pathname.replace(/^\/auth\/v1/, "") + url.search, "http://x");
      next.searchParams.set("page", String(n));
      return `<${next.pathname}${next.search}>`;
    };
    const links = [...(totalPages > page ? [`${link(page + 1)}; rel="next"`] : []), `${link(totalPages)}; rel="last"`];
    return Response.json({ users, aud: AUD }, { headers: { link: links.join(", "), "x-total-count": String(count) } });
  }

  async function adminLoadUser(id: string): Promise<UserRow> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
      throw new AuthApiError(404, "validation_failed", "user_id must be an UUID");
    }
    const user = await userById(sql, id);
    if (user === null) throw new AuthApiError(404, "user_not_found", "User not found");
    return user;
  }

  function banDuration(body: Json): number | null {
    const text = str(body.ban_duration);
    if (text === "") return null;
    return text === "none" ? 0 : parseGoDuration(text);
  }

  async function ban(tx: Tx, userId: string, durationMs: number): Promise<void> {
    const until = durationMs === 0 ? null : new Date(now().getTime() + durationMs);
    await tx`update auth.users set banned_until = ${until}, updated_at = ${now()} where id = ${userId}`;
  }

  async function adminCreateUser(req: Request): Promise<Response> {
    const body = await readJson(req);
    const providers: string[] = [];
    let email: string | null = null;
    let phone: string | null = null;
    if (str(body.email) === "" && str(body.phone) === "") {
      throw new AuthApiError(400, "validation_failed", "Cannot create a user without either an email or phone");
    }
    if (str(body.email) !== "") {
      email = validateEmail(str(body.email));
      if ((await userByEmail(sql, email)) !== null) {
        throw new AuthApiError(422, "email_exists", "A user with this email address has already been registered");
      }
      providers.push("email");
    }
    if (str(body.phone) !== "") {
      phone = validatePhone(str(body.phone));
      if ((await userByPhone(sql, phone)) !== null) {
        throw new AuthApiError(422, "phone_exists", "Phone number already registered by another user");
      }
      providers.push("phone");
    }
    const id = str(body.id) || crypto.randomUUID();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
      throw new AuthApiError(400, "validation_failed", "ID must conform to the uuid v4 format");
    }
    const banMs = banDuration(body);
    const password = str(body.password) || randomBytes(48).toString("base64url");
    const user = await sql.begin(async (tx) => {
      const created = await insertUser(tx, id, {
        email, phone, password, userMetadata: isObject(body.user_metadata) ? body.user_metadata : {}, providers,
      });
      if (isObject(body.app_metadata)) {
        await tx`
          update auth.users set raw_app_meta_data = ${sql.json(mergeMetadata(created.raw_app_meta_data, body.app_metadata) as postgres.JSONValue)},
                 updated_at = ${now()}
           where id = ${id}`;
      }
      if (body.email_confirm === true) await confirmEmail(tx, id);
      if (body.phone_confirm === true) await confirmPhone(tx, id);
      if (banMs !== null) await ban(tx, id, banMs);
      return (await userById(tx, id))!;
    }).catch(() => {
      throw new AuthApiError(500, "", "Database error creating new user");
    });
    return Response.json(await present(sql, user));
  }

  async function adminUpdateUser(req: Request, id: string): Promise<Response> {
    await adminLoadUser(id);
    const body = await readJson(req);
    const email = str(body.email) === "" ? "" : validateEmail(str(body.email));
    const phone = str(body.phone) === "" ? "" : validatePhone(str(body.phone));
    const banMs = banDuration(body);
    const password = typeof body.password === "string" ? body.password : null;
    if (password !== null) checkPasswordStrength(password);
    const updated = await sql.begin(async (tx) => {
      try {
        const at = now();
        if (str(body.role) !== "") await tx`update auth.users set role = ${str(body.role)}, updated_at = ${at} where id = ${id}`;
        if (body.email_confirm === true) await confirmEmail(tx, id);
        if (body.phone_confirm === true) await confirmPhone(tx, id);
        if (password !== null) await updatePassword(tx, id, password === "" ? null : bcryptHash(password), null);
        for (const [provider, value, confirmed] of [["email", email, body.email_confirm === true], ["phone", phone, body.phone_confirm === true]] as const) {
          if (value === "") continue;
          const [identity] = await tx<IdentityRow[]>`select * from auth.identities where user_id = ${id} and provider = ${provider}`;
          const patch = { [provider]: value, [`${provider}_verified`]: confirmed };
          if (identity === undefined) {
            await insertIdentity(tx, id, provider, { sub: id, email_verified: false, phone_verified: false, ...patch }, at);
          } else {
            await tx`update auth.identities set identity_data = identity_data || ${sql.json(patch)}, updated_at = ${at} where id = ${identity.id}`;
          }
          if (provider === "email") await tx`update auth.users set email = ${value}, updated_at = ${at} where id = ${id}`;
          else await tx`update auth.users set phone = ${value}, updated_at = ${at} where id = ${id}`;
        }
        const current = (await userById(tx, id))!;
        if (isObject(body.app_metadata)) {
          await tx`
            update auth.users set raw_app_meta_data = ${sql.json(mergeMetadata(current.raw_app_meta_data, body.app_metadata) as postgres.JSONValue)},
                   updated_at = ${at}
             where id = ${id}`;
        }
        if (isObject(body.user_metadata)) {
          await tx`
            update auth.users set raw_user_meta_data = ${sql.json(mergeMetadata(current.raw_user_meta_data, body.user_metadata) as postgres.JSONValue)},
                   updated_at = ${at}
             where id = ${id}`;
        }
        if (banMs !== null) await ban(tx, id, banMs);
      } catch (error) {
        if (error instanceof AuthApiError) throw error;
        throw new AuthApiError(500, "", "Error updating user");
      }
      return (await userById(tx, id))!;
    });
    return Response.json(await present(sql, updated));
  }

  async function adminDeleteUser(req: Request, id: string): Promise<Response> {
    const user = await adminLoadUser(id);
    const body = await readJson(req);
    await sql.begin(async (tx) => {
      if (body.should_soft_delete !== true) {
        await tx`delete from auth.users where id = ${id}`;
        return;
      }
      if (user.deleted_at !== null) return;
      // SoftDeleteUser: contact details replaced by hashes so they can be registered again.
      const obfuscate = (value: string | null) => (value ? createHash("sha256").update(id + value).digest("hex") : value);
      await tx`
        update auth.users
           set email = ${obfuscate(user.email)}, phone = ${obfuscate(user.phone)}, encrypted_password = null,
               email_change = ${obfuscate(user.email_change) ?? ""}, phone_change = ${obfuscate(user.phone_change) ?? ""},
               confirmation_token = '', recovery_token = '', email_change_token_current = '', email_change_token_new = '',
               phone_change_token = '', deleted_at = ${now()}, updated_at = ${now()}
         where id = ${id}`;
      await clearOneTimeTokens(tx, id);
      await tx`
        update auth.identities set provider_id = ${crypto.randomUUID()}, identity_data = '{}'::jsonb, updated_at = ${now()}
         where user_id = ${id}`;
      await tx`delete from auth.mfa_factors where user_id = ${id}`;
      await tx`delete from auth.sessions where user_id = ${id}`;
    });
    return Response.json({});
  }

  // ---- routing ------------------------------------------------------------------------------

  async function route(req: Request, path: string): Promise<Response> {
    const method = req.method;
    if (method === "GET" && path === "/.well-known/jwks.json") {
      return Response.json({ keys: published }, { headers: { "cache-control": "public, max-age=600" } });
    }
    const passed = gateway(req, path);
    if (passed instanceof Response) return passed;
    req = passed;
    if (method === "POST" && path === "/signup") return signup(req);
    if (method === "POST" && path === "/otp") return otp(req);
    if (method === "POST" && path === "/recover") return recover(req);
    if (method === "POST" && path === "/verify") return verify(req);
    if (method === "POST" && path === "/token") {
      const grant = new URL(req.url).searchParams.get("grant_type");
      if (grant === "password") return passwordGrant(req);
      if (grant === "refresh_token") return refreshGrant(req);
      throw new AuthApiError(400, "validation_failed", "unsupported_grant_type");
    }
    if (method === "POST" && path === "/logout") return logout(req);
    if (method === "GET" && path === "/user") return getUser(req);
    if (method === "PUT" && path === "/user") return updateUser(req);
    if (path === "/admin/users" || path.startsWith("/admin/users/")) {
      await requireAdmin(req);
      const id = path.slice("/admin/users/".length);
      if (path === "/admin/users" && method === "GET") return adminListUsers(req);
      if (path === "/admin/users" && method === "POST") return adminCreateUser(req);
      if (method === "GET") return Response.json(await present(sql, await adminLoadUser(id)));
      if (method === "PUT") return adminUpdateUser(req, id);
      if (method === "DELETE") return adminDeleteUser(req, id);
    }
    throw new AuthApiError(404, "not_found", `the Auth fake has no ${method} /auth/v1${path}`);
  }

  const fake = await startFake(async (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/_fake/mail" && req.method === "GET") return Response.json(mailTo(url.searchParams.get("to")));
    if (url.pathname === "/_fake/clock" && req.method === "POST") {
      const body = await readJson(req);
      frozen = typeof body.now === "string" ? new Date(body.now) : null;
      return Response.json({ now: now().toISOString(), frozen: frozen !== null });
    }
    const modern = (req.headers.get("x-supabase-api-version") ?? "") >= "2024-01-01";
    try {
      if (!url.pathname.startsWith("/auth/v1/")) throw new AuthApiError(404, "not_found", `the Auth fake has no ${req.method} ${url.pathname}`);
      return await route(req, url.pathname.slice("/auth/v1".length));
    } catch (error) {
      if (error instanceof AuthApiError) return errorResponse(error, modern);
      console.error("[auth fake]", error);
      return errorResponse(new AuthApiError(500, "", "Unexpected failure, please check server logs for more information"), modern);
    }
  }, options.port);

  return {
    ...fake,
    stop: async () => {
      await fake.stop();
      await sql.end({ timeout: 5 });
    },
    setNow: (at) => void (frozen = at === null ? null : new Date(at.getTime())),
    publish: (next) => void (published = next),
    mail: (to) => mailTo(to),
  };
}
