// The Auth fake against the real database and the official client (@supabase/supabase-js): where our
// code depends on GoTrue's behaviour, the fake must behave the same. Each test starts fakes of its own
// (hooks chosen per test, clock frozen at will), except the last, which goes through the stack's gateway.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type SupabaseClientOptions } from "@supabase/supabase-js";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import ws from "ws";
import { bcryptHash, bcryptVerify, redirectGlob, startAuthFake, tokenHash, type AuthFake, type AuthFakeOptions } from "./auth.ts";
import { startFake, type Fake, type RecordedRequest } from "./server.ts";
import type { AuthHookConfig } from "../../scripts/lib/settings.ts";
import { authFakeOptions, authMail, closeDbs, config, createUser, openDb, stackKeys, urls } from "../helpers/stack.ts";

type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<"public">["realtime"]>["transport"]>;
const admin = openDb("supabase_admin");
const keys = stackKeys();
const fakes: Fake[] = [];
const SECRET = "v1,whsec_dGVzdC1vbmx5LWF1dGgtZmFrZS1zZW5kLXNtcy1zZWNyZXQ=";

const pg = (fn: string): AuthHookConfig => ({ enabled: true, uri: `pg-functions://postgres/tests/${fn}` });
const noHooks = { customAccessToken: null, beforeUserCreated: null, passwordVerificationAttempt: null, sendSms: null };

async function fake(
  hooks: Partial<AuthFakeOptions["settings"]["hooks"]> = {},
  sms: Partial<AuthFakeOptions["settings"]["sms"]> = {},
  extra: Partial<AuthFakeOptions> = {},
): Promise<AuthFake> {
  const started = await startAuthFake(authFakeOptions({
    settings: { ...config.auth, hooks: { ...noHooks, ...hooks }, sms: { ...config.auth.sms, ...sms } },
    ...extra,
  }));
  fakes.push(started);
  return started;
}

function client(url: string, key = keys.anonKey) {
  return createClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: ws as unknown as RealtimeTransport },
  });
}

async function call(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/auth/v1${path}`, {
    method,
    headers: { apikey: keys.anonKey, "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text === "" ? null : JSON.parse(text)) as Record<string, unknown> };
}

const uniqueEmail = (tag: string) => `${tag}-${crypto.randomUUID().slice(0, 8)}@auth-fake.test`;
const uniquePhone = () => `99899${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;

/** A recording HTTP hook receiver that checks the Standard Webhooks signature itself. */
async function smsReceiver(answer: (req: RecordedRequest) => Response = () => Response.json({})) {
  const calls: { body: Record<string, unknown>; signed: boolean; headers: Record<string, string> }[] = [];
  const receiver = await startFake(async (req) => {
    const body = await req.text();
    const headers = Object.fromEntries(req.headers);
    const key = Buffer.from(SECRET.slice("v1,whsec_".length), "base64");
    const expected = createHmac("sha256", key).update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`).digest("base64");
    calls.push({ body: JSON.parse(body) as Record<string, unknown>, signed: headers["webhook-signature"] === `v1,${expected}`, headers });
    return answer({ method: req.method, path: new URL(req.url).pathname, headers, body });
  });
  fakes.push(receiver);
  return { url: receiver.url, calls, hook: { enabled: true, uri: `${receiver.url}/functions/v1/send-sms`, secrets: SECRET } };
}

beforeAll(async () => {
  // Test-only hooks, granted to GoTrue's role as a project grants its real ones.
  await admin.unsafe(`
    grant usage on schema tests to supabase_auth_admin;
    create or replace function tests.auth_fake_claims_hook(event jsonb) returns jsonb language sql as $$
      select jsonb_build_object('claims', (event -> 'claims') || jsonb_build_object('test_claim', 'hello', 'test_method', event ->> 'authentication_method'))
    $$;
    create or replace function tests.auth_fake_bad_claims_hook(event jsonb) returns jsonb language sql as $$
      select jsonb_build_object('claims', (event -> 'claims') - 'is_anonymous')
    $$;
    create or replace function tests.auth_fake_password_hook(event jsonb) returns jsonb language sql as $$
      select case when (select u.raw_user_meta_data ->> 'lock' from auth.users u where u.id = (event ->> 'user_id')::uuid) = 'yes'
        then jsonb_build_object('decision', 'reject', 'message', 'Locked by the test hook', 'should_logout_user', true)
        else jsonb_build_object('decision', 'continue') end
    $$;
    create or replace function tests.auth_fake_before_user_hook(event jsonb) returns jsonb language sql as $$
      select case when event -> 'user' ->> 'email' like 'blocked-%'
        then jsonb_build_object('error', jsonb_build_object('http_code', 403, 'message', 'Blocked by the test hook'))
        else '{}'::jsonb end
    $$;
    grant execute on function tests.auth_fake_claims_hook(jsonb), tests.auth_fake_bad_claims_hook(jsonb),
      tests.auth_fake_password_hook(jsonb), tests.auth_fake_before_user_hook(jsonb) to supabase_auth_admin;
  `);
});

afterAll(async () => {
  await Promise.all(fakes.map((f) => f.stop()));
  await closeDbs();
});

describe("Auth fake: bcrypt and token hashing as GoTrue", () => {
  it("verifies pgcrypto's bcrypt (the seed's) and its own hashes verify in pgcrypto", async () => {
    const [seeded] = await admin<{ hash: string }[]>`select extensions.crypt('password123', extensions.gen_salt('bf')) as hash`;
    expect(bcryptVerify("password123", seeded!.hash)).toBe(true);
    expect(bcryptVerify("password124", seeded!.hash)).toBe(false);
    const mine = bcryptHash("s3cret-pass");
    expect(mine).toMatch(/^\$2a\$10\$/);
    const [check] = await admin<{ same: boolean }[]>`select extensions.crypt('s3cret-pass', ${mine}) = ${mine} as same`;
    expect(check!.same).toBe(true);
  });

  it("hashes OTPs as crypto.GenerateTokenHash: sha224 hex of email or phone + code", async () => {
    const [row] = await admin<{ expected: string }[]>`select encode(extensions.digest('998901234567' || '123456', 'sha224'), 'hex') as expected`;
    expect(tokenHash("998901234567", "123456")).toBe(row!.expected);
  });
});

describe("Auth fake: password grant", () => {
  it("signs in with supabase-js; the custom access token hook shapes the claims; the session is in the database", async () => {
    const auth = await fake({ customAccessToken: pg("auth_fake_claims_hook") });
    const user = await createUser({ full_name: "Pass Word" }, uniqueEmail("signin"));
    const { data, error } = await client(auth.url).auth.signInWithPassword({ email: user.email, password: "password123" });
    expect(error).toBeNull();
    const session = data.session!;
    expect(session.token_type).toBe("bearer");
    expect(session.expires_in).toBe(config.auth.jwtExpiry);
    expect(session.user.id).toBe(user.id);
    const { payload } = await jwtVerify(session.access_token, createRemoteJWKSet(new URL(`${auth.url}/auth/v1/.well-known/jwks.json`)));
    expect(payload).toMatchObject({
      sub: user.id, aud: "authenticated", role: "authenticated", email: user.email, aal: "aal1",
      test_claim: "hello", test_method: "password", iss: `${urls.api}/auth/v1`, is_anonymous: false,
    });
    expect(payload.exp! - payload.iat!).toBe(config.auth.jwtExpiry);
    const [row] = await admin`
      select s.id, s.aal, r.token, r.revoked, u.last_sign_in_at
        from auth.sessions s join auth.refresh_tokens r on r.session_id = s.id join auth.users u on u.id = s.user_id
       where s.id = ${String(payload.session_id)}`;
    expect(row).toMatchObject({ aal: "aal1", token: session.refresh_token, revoked: false });
    expect(row!.last_sign_in_at).toBeInstanceOf(Date);
  });

  it("answers an unknown user and a wrong password identically (400 invalid_credentials)", async () => {
    const auth = await fake();
    const user = await createUser({}, uniqueEmail("wrong"));
    const unknown = await call(auth.url, "POST", "/token?grant_type=password", { email: uniqueEmail("nobody"), password: "password123" });
    const wrong = await call(auth.url, "POST", "/token?grant_type=password", { email: user.email, password: "password124" });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ code: 400, error_code: "invalid_credentials", msg: "Invalid login credentials" });
    expect(wrong.body).toEqual(unknown.body);
    const { error } = await client(auth.url).auth.signInWithPassword({ email: user.email, password: "password124" });
    expect(error).toMatchObject({ status: 400, code: "invalid_credentials" });
  });

  it("refuses without an apikey, as the API gateway does", async () => {
    const auth = await fake();
    const res = await call(auth.url, "POST", "/token?grant_type=password", { email: "a@b.test", password: "x" }, { apikey: "" });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ message: "No API key found in request" });
  });

  it("refuses banned users (user_banned) and unconfirmed emails (email_not_confirmed)", async () => {
    const auth = await fake();
    const banned = await createUser({}, uniqueEmail("banned"));
    await admin`update auth.users set banned_until = now() + interval '1 hour' where id = ${banned.id}`;
    const unconfirmed = uniqueEmail("unconfirmed");
    await admin`select tests.create_user(email => ${unconfirmed}, confirmed => false)`;
    const sb = client(auth.url);
    expect((await sb.auth.signInWithPassword({ email: banned.email, password: "password123" })).error).toMatchObject({ status: 400, code: "user_banned" });
    expect((await sb.auth.signInWithPassword({ email: unconfirmed, password: "password123" })).error).toMatchObject({ status: 400, code: "email_not_confirmed" });
  });

  it("lets the password_verification_attempt hook reject and log the user out everywhere", async () => {
    const plain = await fake();
    const hooked = await fake({ passwordVerificationAttempt: pg("auth_fake_password_hook") });
    const user = await createUser({ lock: "yes" }, uniqueEmail("locked"));
    expect((await client(plain.url).auth.signInWithPassword({ email: user.email, password: "password123" })).error).toBeNull();
    const res = await call(hooked.url, "POST", "/token?grant_type=password", { email: user.email, password: "password123" });
    expect(res.body).toEqual({ code: 400, error_code: "invalid_credentials", msg: "Locked by the test hook" });
    const [left] = await admin<{ sessions: number }[]>`select count(*)::int as sessions from auth.sessions where user_id = ${user.id}`;
    expect(left!.sessions).toBe(0);
    const other = await createUser({}, uniqueEmail("unlocked"));
    expect((await client(hooked.url).auth.signInWithPassword({ email: other.email, password: "password123" })).error).toBeNull();
  });

  it("fails with GoTrue's 500s when the claims hook breaks the claims schema or does not exist", async () => {
    const user = await createUser({}, uniqueEmail("claims"));
    const bad = await fake({ customAccessToken: pg("auth_fake_bad_claims_hook") });
    const violation = await call(bad.url, "POST", "/token?grant_type=password", { email: user.email, password: "password123" });
    expect(violation.status).toBe(500);
    expect(String(violation.body.msg)).toMatch(/^output claims do not conform to the expected schema: \n- \(root\): is_anonymous is required/);
    const missing = await fake({ customAccessToken: pg("no_such_hook") });
    const res = await call(missing.url, "POST", "/token?grant_type=password", { email: user.email, password: "password123" });
    expect(res.body).toEqual({ code: 500, error_code: "unexpected_failure", msg: "Error running hook URI: pg-functions://postgres/tests/no_such_hook" });
    const [left] = await admin<{ sessions: number }[]>`select count(*)::int as sessions from auth.sessions where user_id = ${user.id}`;
    expect(left!.sessions).toBe(0);
  });
});

describe("Auth fake: refresh tokens and sessions", () => {
  it("rotates refresh tokens, hands a lost answer back, and revokes the family on reuse after the interval", async () => {
    const auth = await fake({ customAccessToken: pg("auth_fake_claims_hook") });
    const t0 = new Date();
    auth.setNow(t0);
    const user = await createUser({}, uniqueEmail("refresh"));
    const sb = client(auth.url);
    const first = (await sb.auth.signInWithPassword({ email: user.email, password: "password123" })).data.session!;
    const second = (await sb.auth.refreshSession({ refresh_token: first.refresh_token })).data.session!;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(decodeJwt(second.access_token)).toMatchObject({ test_method: "token_refresh", session_id: decodeJwt(first.access_token).session_id });
    // The first token again: its child is the active one, so the client gets that child.
    const again = await call(auth.url, "POST", "/token?grant_type=refresh_token", { refresh_token: first.refresh_token });
    expect(again.body.refresh_token).toBe(second.refresh_token);
    const third = (await sb.auth.refreshSession({ refresh_token: second.refresh_token })).data.session!;
    auth.setNow(new Date(t0.getTime() + (config.auth.refreshTokenReuseInterval + 1) * 1000));
    const reuse = await call(auth.url, "POST", "/token?grant_type=refresh_token", { refresh_token: first.refresh_token });
    expect(reuse.body).toEqual({ code: 400, error_code: "refresh_token_already_used", msg: "Invalid Refresh Token: Already Used" });
    auth.setNow(new Date(t0.getTime() + (2 * config.auth.refreshTokenReuseInterval + 2) * 1000));
    const { error } = await sb.auth.refreshSession({ refresh_token: third.refresh_token });
    expect(error).toMatchObject({ status: 400, code: "refresh_token_already_used" });
    const unknown = await call(auth.url, "POST", "/token?grant_type=refresh_token", { refresh_token: "nosuchtoken1" });
    expect(unknown.body).toMatchObject({ error_code: "refresh_token_not_found" });
  });

  it("ends sessions at the timebox", async () => {
    const auth = await fake();
    const t0 = new Date();
    auth.setNow(t0);
    const user = await createUser({}, uniqueEmail("timebox"));
    const session = (await client(auth.url).auth.signInWithPassword({ email: user.email, password: "password123" })).data.session!;
    auth.setNow(new Date(t0.getTime() + (config.auth.sessionTimeboxSeconds! + 1) * 1000));
    const res = await call(auth.url, "POST", "/token?grant_type=refresh_token", { refresh_token: session.refresh_token });
    expect(res.body).toEqual({ code: 400, error_code: "session_expired", msg: "Invalid Refresh Token: Session Expired" });
  });

  it("logs out with scope others, local and global", async () => {
    const auth = await fake();
    const user = await createUser({}, uniqueEmail("logout"));
    const signIn = async () => (await client(auth.url).auth.signInWithPassword({ email: user.email, password: "password123" })).data.session!;
    const count = async () => (await admin<{ n: number }[]>`select count(*)::int as n from auth.sessions where user_id = ${user.id}`)[0]!.n;
    const [a] = [await signIn(), await signIn(), await signIn()];
    const bearer = (s: { access_token: string }) => ({ authorization: `Bearer ${s.access_token}` });
    expect((await call(auth.url, "POST", "/logout?scope=others", undefined, bearer(a!))).status).toBe(204);
    expect(await count()).toBe(1);
    expect((await call(auth.url, "POST", "/logout?scope=local", undefined, bearer(a!))).status).toBe(204);
    expect(await count()).toBe(0);
    const gone = await call(auth.url, "GET", "/user", undefined, bearer(a!));
    expect(gone.body).toMatchObject({ code: 403, error_code: "session_not_found" });
    const b = await signIn();
    await signIn();
    expect((await client(auth.url).auth.admin.signOut(b.access_token, "global")).error).toBeNull();
    expect(await count()).toBe(0);
  });

  it("reads and updates the user: metadata merge, password rules, other sessions logged out", async () => {
    const auth = await fake();
    const user = await createUser({ keep: 1, drop: 2 }, uniqueEmail("update"));
    const other = (await client(auth.url).auth.signInWithPassword({ email: user.email, password: "password123" })).data.session!;
    const sb = client(auth.url);
    const mine = (await sb.auth.signInWithPassword({ email: user.email, password: "password123" })).data.session!;
    const { data: got } = await sb.auth.getUser(mine.access_token);
    expect(got.user).toMatchObject({ id: user.id, email: user.email, phone: "" });
    await sb.auth.setSession({ access_token: mine.access_token, refresh_token: mine.refresh_token });
    expect((await sb.auth.updateUser({ password: "password123" })).error).toMatchObject({ status: 422, code: "same_password" });
    expect((await sb.auth.updateUser({ password: "short1" })).error).toMatchObject({ status: 422, code: "weak_password" });
    expect((await sb.auth.updateUser({ password: "onlyletters" })).error).toMatchObject({ status: 422, code: "weak_password" });
    const { data, error } = await sb.auth.updateUser({ password: "newpass123", data: { drop: null, added: "x" } });
    expect(error).toBeNull();
    expect(data.user!.user_metadata).toMatchObject({ keep: 1, added: "x" });
    expect(data.user!.user_metadata).not.toHaveProperty("drop");
    const stale = await call(auth.url, "GET", "/user", undefined, { authorization: `Bearer ${other.access_token}` });
    expect(stale.body).toMatchObject({ error_code: "session_not_found" });
    expect((await client(auth.url).auth.signInWithPassword({ email: user.email, password: "newpass123" })).error).toBeNull();
  });
});

describe("Auth fake: signup and email verification", () => {
  it("creates the user as GoTrue does, returns no session while confirmations are on, and verifies the code", async () => {
    const auth = await fake({ beforeUserCreated: pg("auth_fake_before_user_hook") });
    const email = uniqueEmail("signup");
    const sb = client(auth.url);
    const { data, error } = await sb.auth.signUp({ email, password: "password123", options: { data: { full_name: "New One" } } });
    expect(error).toBeNull();
    expect(data.session).toBeNull();
    expect(data.user).toMatchObject({ email, role: "authenticated", user_metadata: { full_name: "New One" }, app_metadata: { provider: "email", providers: ["email"] } });
    const [row] = await admin`
      select u.instance_id, u.aud, u.role, u.email_confirmed_at, u.confirmation_token, u.recovery_token, u.email_change,
             i.provider, i.provider_id, i.identity_data, t.token_type, t.relates_to, t.token_hash
        from auth.users u join auth.identities i on i.user_id = u.id join auth.one_time_tokens t on t.user_id = u.id
       where u.id = ${data.user!.id}`;
    expect(row).toMatchObject({
      instance_id: "00000000-0000-0000-0000-000000000000", aud: "authenticated", role: "authenticated", email_confirmed_at: null,
      recovery_token: "", email_change: "", provider: "email", provider_id: data.user!.id, token_type: "confirmation_token", relates_to: email,
    });
    expect(row!.token_hash).toBe(row!.confirmation_token);
    // The confirmation mail holds the plain code (what {{ .Token }} shows); the database only its hash.
    const mails = await authMail(email, auth.url);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail).toMatchObject({ to: email, type: "signup", token_hash: row!.confirmation_token, user_id: data.user!.id, data: { full_name: "New One" } });
    expect(mail.token).toMatch(/^\d{6}$/);
    expect(tokenHash(email, mail.token)).toBe(row!.confirmation_token);
    // No redirect_to asked: the site URL, as config.toml sets it (the fake reads it when not given one).
    expect(mail.redirect_to).toBe(mail.site_url);
    expect(mail.site_url).toMatch(/^https?:\/\//);
    // Signing up again before confirming resends the mail, which max_frequency refuses.
    expect((await sb.auth.signUp({ email, password: "password123" })).error).toMatchObject({ status: 429, code: "over_email_send_rate_limit" });
    expect(auth.mail(email)).toHaveLength(1);
    expect((await sb.auth.signInWithPassword({ email, password: "password123" })).error).toMatchObject({ status: 400, code: "email_not_confirmed" });
    const wrong = mail.token === "000000" ? "111111" : "000000";
    expect((await sb.auth.verifyOtp({ email, token: wrong, type: "signup" })).error).toMatchObject({ status: 403, code: "otp_expired" });
    const verified = await sb.auth.verifyOtp({ email, token: mail.token, type: "signup" });
    expect(verified.error).toBeNull();
    expect(verified.data.session!.user.email_confirmed_at).toBeTruthy();
    expect(verified.data.session!.user.user_metadata).toMatchObject({ email_verified: true });
    expect((await client(auth.url).auth.signInWithPassword({ email, password: "password123" })).error).toBeNull();
    // Signing up again with a confirmed address reveals nothing: a made-up user, no session.
    const repeat = await sb.auth.signUp({ email, password: "another123" });
    expect(repeat.error).toBeNull();
    expect(repeat.data.session).toBeNull();
    expect(repeat.data.user!.id).not.toBe(data.user!.id);
  });

  it("honours the before_user_created hook's error and the password rules", async () => {
    const auth = await fake({ beforeUserCreated: pg("auth_fake_before_user_hook") });
    const sb = client(auth.url);
    const blocked = `blocked-${uniqueEmail("x")}`;
    expect((await sb.auth.signUp({ email: blocked, password: "password123" })).error).toMatchObject({ status: 403, message: "Blocked by the test hook" });
    expect((await admin`select 1 from auth.users where email = ${blocked}`).length).toBe(0);
    const weak = await call(auth.url, "POST", "/signup", { email: uniqueEmail("weak"), password: "abc" });
    expect(weak.body).toEqual({
      code: 422, error_code: "weak_password",
      msg: "Password should be at least 8 characters. Password should contain at least one character of each: abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ, 0123456789.",
      weak_password: { reasons: ["length", "characters"] },
    });
  });
});

describe("Auth fake: phone OTP", () => {
  it("uses the test_otp code for test numbers and sends no SMS", async () => {
    const phone = uniquePhone();
    const receiver = await smsReceiver();
    const auth = await fake({ sendSms: receiver.hook }, { testOtp: { [phone]: "654321" } });
    const sb = client(auth.url);
    expect((await sb.auth.signInWithOtp({ phone: `+${phone}` })).error).toBeNull();
    expect(receiver.calls).toHaveLength(0);
    const { data, error } = await sb.auth.verifyOtp({ phone: `+${phone}`, token: "654321", type: "sms" });
    expect(error).toBeNull();
    expect(data.session!.user).toMatchObject({ phone, app_metadata: { provider: "phone", providers: ["phone"] } });
    expect(data.session!.user.phone_confirmed_at).toBeTruthy();
  });

  it("sends the code through the send_sms hook, signed with Standard Webhooks, and rate-limits per phone", async () => {
    const receiver = await smsReceiver();
    const auth = await fake({ sendSms: receiver.hook });
    const phone = uniquePhone();
    const sb = client(auth.url);
    expect((await sb.auth.signInWithOtp({ phone: `+${phone}`, options: { data: { language: "ru" } } })).error).toBeNull();
    expect(receiver.calls).toHaveLength(1);
    const [sent] = receiver.calls;
    expect(sent!.signed).toBe(true);
    expect(sent!.headers["webhook-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(Number(sent!.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(30);
    const sms = sent!.body.sms as { otp: string; sms_type: string; phone: string };
    expect(sms).toMatchObject({ sms_type: "confirmation", phone });
    expect(sms.otp).toMatch(/^\d{6}$/);
    expect(sent!.body.user).toMatchObject({ phone, user_metadata: { language: "ru" } });
    expect(sent!.body.metadata).toMatchObject({ name: "send-sms" });
    const again = await call(auth.url, "POST", "/otp", { phone });
    expect(again.status).toBe(429);
    expect(again.body).toMatchObject({ error_code: "over_sms_send_rate_limit" });
    expect(String(again.body.msg)).toMatch(/^For security purposes, you can only request this after \d+ seconds\.$/);
    const { data, error } = await sb.auth.verifyOtp({ phone, token: sms.otp, type: "sms" });
    expect(error).toBeNull();
    expect(data.session!.user.id).toBe((sent!.body.user as { id: string }).id);
  });

  it("rejects a wrong code and an expired one (frozen clock) with otp_expired", async () => {
    const receiver = await smsReceiver();
    const auth = await fake({ sendSms: receiver.hook });
    const t0 = new Date();
    auth.setNow(t0);
    const phone = uniquePhone();
    await call(auth.url, "POST", "/otp", { phone });
    const otp = (receiver.calls[0]!.body.sms as { otp: string }).otp;
    const wrong = await call(auth.url, "POST", "/verify", { type: "sms", phone, token: otp === "000000" ? "111111" : "000000" });
    expect(wrong.body).toEqual({ code: 403, error_code: "otp_expired", msg: "Token has expired or is invalid" });
    auth.setNow(new Date(t0.getTime() + (config.auth.sms.otpExpiry + 1) * 1000));
    const late = await call(auth.url, "POST", "/verify", { type: "sms", phone, token: otp });
    expect(late.body).toEqual(wrong.body);
  });

  it("surfaces the hook's answers as GoTrue does: error objects, non-JSON, retries on 503 with retry-after", async () => {
    let answer = () => Response.json({ error: { http_code: 429, message: "Too many codes today" } });
    const receiver = await smsReceiver(() => answer());
    const auth = await fake({ sendSms: receiver.hook });
    const refused = await client(auth.url).auth.signInWithOtp({ phone: `+${uniquePhone()}` });
    expect(refused.error).toMatchObject({ status: 429, message: "Too many codes today" });
    answer = () => new Response("ok", { headers: { "content-type": "text/plain" } });
    const text = await call(auth.url, "POST", "/otp", { phone: uniquePhone() });
    expect(text.body).toMatchObject({ code: 400, error_code: "hook_payload_invalid_content_type" });
    answer = () => new Response(null, { status: 503, headers: { "retry-after": "1" } });
    const before = receiver.calls.length;
    const busy = await call(auth.url, "POST", "/otp", { phone: uniquePhone() });
    expect(busy.body).toEqual({ code: 500, error_code: "unexpected_failure", msg: "Service currently unavailable due to hook" });
    expect(receiver.calls.length - before).toBe(3);
    const ids = receiver.calls.slice(before).map((c) => c.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(3);
  });
});

describe("Auth fake: mail capture, password recovery and email OTP", () => {
  const SITE = "https://app.tangent.test";
  const mailConfig: Partial<AuthFakeOptions> = {
    siteUrl: SITE,
    additionalRedirectUrls: ["tangent://auth-callback", "http://localhost:3000/**", "https://*.tangent.test/reset"],
  };
  const otherCode = (code: string) => (code === "000000" ? "111111" : "000000");

  it("mails a recovery code; verifyOtp(recovery) signs in; updateUser sets the new password", async () => {
    const auth = await fake({}, {}, mailConfig);
    const user = await createUser({ language: "ru" }, uniqueEmail("recover"));
    const sb = client(auth.url);
    expect(await sb.auth.resetPasswordForEmail(user.email, { redirectTo: `${SITE}/reset-password` })).toEqual({ data: {}, error: null });
    const mails = await authMail(user.email, auth.url);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail).toMatchObject({
      to: user.email, type: "recovery", redirect_to: `${SITE}/reset-password`, site_url: SITE, user_id: user.id, data: { language: "ru" },
    });
    expect(mail.token).toMatch(/^\d{6}$/);
    expect(mail.confirmation_url).toBe(`${urls.api}/auth/v1/verify?token=${mail.token_hash}&type=recovery&redirect_to=${SITE}/reset-password`);
    expect(Math.abs(Date.parse(mail.sent_at) - Date.now())).toBeLessThan(30_000);
    // The accessor is the same mailbox, whatever the letter case of the address.
    expect(auth.mail(user.email.toUpperCase())).toEqual(mails);
    // Stored as GoTrue stores it: the hash (sha224 of address + code), its send time, one one-time token.
    const rows = await admin`
      select u.recovery_token, u.recovery_sent_at, t.token_type, t.token_hash, t.relates_to
        from auth.users u join auth.one_time_tokens t on t.user_id = u.id where u.id = ${user.id}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      recovery_token: tokenHash(user.email, mail.token), token_type: "recovery_token", token_hash: mail.token_hash, relates_to: user.email,
    });
    expect(rows[0]!.recovery_sent_at).toBeInstanceOf(Date);
    expect(mail.token_hash).toBe(tokenHash(user.email, mail.token));
    const wrong = await sb.auth.verifyOtp({ email: user.email, token: otherCode(mail.token), type: "recovery" });
    expect(wrong.error).toMatchObject({ status: 403, code: "otp_expired" });
    const { data, error } = await sb.auth.verifyOtp({ email: user.email, token: mail.token, type: "recovery" });
    expect(error).toBeNull();
    expect(decodeJwt(data.session!.access_token)).toMatchObject({ sub: user.id, amr: [{ method: "otp" }] });
    // Spent: the token is cleared with its one-time token.
    const again = await call(auth.url, "POST", "/verify", { type: "recovery", email: user.email, token: mail.token });
    expect(again.body).toEqual({ code: 403, error_code: "otp_expired", msg: "Token has expired or is invalid" });
    expect((await admin`select 1 from auth.one_time_tokens where user_id = ${user.id}`).length).toBe(0);
    expect((await sb.auth.updateUser({ password: "brandnew123" })).error).toBeNull();
    const old = await client(auth.url).auth.signInWithPassword({ email: user.email, password: "password123" });
    expect(old.error).toMatchObject({ status: 400, code: "invalid_credentials" });
    expect((await client(auth.url).auth.signInWithPassword({ email: user.email, password: "brandnew123" })).error).toBeNull();
  });

  it("answers an unknown address exactly like a known one and mails nothing", async () => {
    const auth = await fake({}, {}, mailConfig);
    const unknown = uniqueEmail("nobody");
    expect(await client(auth.url).auth.resetPasswordForEmail(unknown)).toEqual({ data: {}, error: null });
    const raw = await call(auth.url, "POST", "/recover", { email: unknown });
    expect(raw).toMatchObject({ status: 200, body: {} });
    expect(await authMail(unknown, auth.url)).toEqual([]);
    expect(auth.mail()).toEqual([]);
    expect((await call(auth.url, "POST", "/recover", {})).body).toEqual({ code: 400, error_code: "validation_failed", msg: "Password recovery requires an email" });
    const invalid = await call(auth.url, "POST", "/recover", { email: "not-an-address" });
    expect(invalid.body).toMatchObject({ code: 400, error_code: "validation_failed" });
    const pkce = await call(auth.url, "POST", "/recover", { email: unknown, code_challenge: "abc", code_challenge_method: "s256" });
    expect(pkce.status).toBe(400);
  });

  it("refuses a recovery code once otp_expiry has passed on the fake's clock (the last second still counts)", async () => {
    const auth = await fake({}, {}, mailConfig);
    const t0 = new Date();
    auth.setNow(t0);
    const user = await createUser({}, uniqueEmail("expiry"));
    const sb = client(auth.url);
    expect((await sb.auth.resetPasswordForEmail(user.email)).error).toBeNull();
    const mail = auth.mail(user.email)[0]!;
    expect(mail.sent_at).toBe(t0.toISOString());
    expect(mail.redirect_to).toBe(SITE);
    auth.setNow(new Date(t0.getTime() + (config.auth.email.otpExpiry + 1) * 1000));
    const late = await sb.auth.verifyOtp({ email: user.email, token: mail.token, type: "recovery" });
    expect(late.error).toMatchObject({ status: 403, code: "otp_expired", message: "Token has expired or is invalid" });
    const byHash = await call(auth.url, "POST", "/verify", { type: "recovery", token_hash: mail.token_hash });
    expect(byHash.body).toEqual({ code: 403, error_code: "otp_expired", msg: "Email link is invalid or has expired" });
    auth.setNow(new Date(t0.getTime() + config.auth.email.otpExpiry * 1000));
    const onTime = await call(auth.url, "POST", "/verify", { type: "recovery", token_hash: mail.token_hash });
    expect(onTime.status).toBe(200);
    expect(onTime.body.user).toMatchObject({ id: user.id });
  });

  it("limits sends per address to one per max_frequency; recovery and magic link share the timer", async () => {
    const auth = await fake({}, {}, mailConfig);
    const t0 = new Date();
    auth.setNow(t0);
    const user = await createUser({}, uniqueEmail("frequency"));
    const other = await createUser({}, uniqueEmail("frequency-other"));
    const sb = client(auth.url);
    expect((await sb.auth.resetPasswordForEmail(user.email)).error).toBeNull();
    const second = await sb.auth.resetPasswordForEmail(user.email);
    expect(second.error).toMatchObject({ status: 429, code: "over_email_send_rate_limit" });
    const raw = await call(auth.url, "POST", "/recover", { email: user.email });
    expect(raw.body).toEqual({
      code: 429, error_code: "over_email_send_rate_limit",
      msg: `For security purposes, you can only request this after ${config.auth.email.maxFrequencySeconds} seconds.`,
    });
    const magic = await sb.auth.signInWithOtp({ email: user.email, options: { shouldCreateUser: false } });
    expect(magic.error).toMatchObject({ status: 429, code: "over_email_send_rate_limit" });
    expect(auth.mail(user.email)).toHaveLength(1);
    // Per address: another user is not held back.
    expect((await sb.auth.resetPasswordForEmail(other.email)).error).toBeNull();
    // Allowed again once sent_at + max_frequency is no longer in the future; the new code replaces the old.
    auth.setNow(new Date(t0.getTime() + config.auth.email.maxFrequencySeconds * 1000));
    expect((await sb.auth.resetPasswordForEmail(user.email)).error).toBeNull();
    const [first, latest] = auth.mail(user.email);
    expect(latest!.token_hash).not.toBe(first!.token_hash);
    const stale = await call(auth.url, "POST", "/verify", { type: "recovery", token_hash: first!.token_hash });
    expect(stale.body).toMatchObject({ error_code: "otp_expired" });
    expect((await sb.auth.verifyOtp({ email: user.email, token: latest!.token, type: "recovery" })).error).toBeNull();
  });

  it("signs in with an email OTP: a magic link for a known user, the signup mail for a new one", async () => {
    const auth = await fake({}, {}, mailConfig);
    const known = await createUser({}, uniqueEmail("magic"));
    const sb = client(auth.url);
    expect(await sb.auth.signInWithOtp({ email: known.email })).toEqual({ data: { user: null, session: null }, error: null });
    const link = auth.mail(known.email)[0]!;
    expect(link).toMatchObject({ type: "magiclink", user_id: known.id, token_hash: tokenHash(known.email, link.token) });
    const [stored] = await admin`select recovery_token, confirmation_token from auth.users where id = ${known.id}`;
    expect(stored).toMatchObject({ recovery_token: link.token_hash, confirmation_token: "" });
    const signedIn = await sb.auth.verifyOtp({ email: known.email, token: link.token, type: "email" });
    expect(signedIn.error).toBeNull();
    expect(signedIn.data.session!.user.id).toBe(known.id);

    // A new address: GoTrue signs the user up, and the confirmation mail is the one-time code.
    const fresh = uniqueEmail("otp-new");
    const sent = await sb.auth.signInWithOtp({ email: fresh, options: { data: { full_name: "Otp User" }, emailRedirectTo: `${SITE}/welcome` } });
    expect(sent.error).toBeNull();
    const welcome = auth.mail(fresh)[0]!;
    expect(welcome).toMatchObject({ type: "signup", redirect_to: `${SITE}/welcome`, data: { full_name: "Otp User" } });
    const [created] = await admin`select id, email_confirmed_at, encrypted_password from auth.users where email = ${fresh}`;
    expect(created).toMatchObject({ id: welcome.user_id, email_confirmed_at: null });
    expect(String(created!.encrypted_password)).toMatch(/^\$2a\$10\$/);
    const wrong = await sb.auth.verifyOtp({ email: fresh, token: otherCode(welcome.token), type: "email" });
    expect(wrong.error).toMatchObject({ status: 403, code: "otp_expired" });
    const confirmed = await sb.auth.verifyOtp({ email: fresh, token: welcome.token, type: "email" });
    expect(confirmed.error).toBeNull();
    expect(confirmed.data.session!.user).toMatchObject({ id: welcome.user_id, email: fresh, user_metadata: { full_name: "Otp User", email_verified: true } });
    expect(confirmed.data.session!.user.email_confirmed_at).toBeTruthy();
    // Now confirmed, the same address gets a magic link, verified here with type magiclink.
    expect((await sb.auth.signInWithOtp({ email: fresh })).error).toBeNull();
    const next = auth.mail(fresh)[1]!;
    expect(next.type).toBe("magiclink");
    expect((await sb.auth.verifyOtp({ email: fresh, token: next.token, type: "magiclink" })).error).toBeNull();

    // shouldCreateUser: false for an unknown address: 422, no user, no mail.
    const stranger = uniqueEmail("otp-stranger");
    const refused = await sb.auth.signInWithOtp({ email: stranger, options: { shouldCreateUser: false } });
    expect(refused.error).toMatchObject({ status: 422, code: "otp_disabled" });
    expect(auth.mail(stranger)).toEqual([]);
    expect((await admin`select 1 from auth.users where email = ${stranger}`).length).toBe(0);
  });

  it("keeps redirect_to only for the site, loopback addresses and allow-list globs", async () => {
    expect(redirectGlob("http://localhost:3000/**").test("http://localhost:3000/a/b?c=d")).toBe(true);
    expect(redirectGlob("https://*.tangent.test/reset").test("https://preview.tangent.test/reset")).toBe(true);
    expect(redirectGlob("https://*.tangent.test/reset").test("https://a.b.tangent.test/reset")).toBe(false);
    expect(redirectGlob("https://{a,b}.test/?").test("https://b.test/x")).toBe(true);
    const auth = await fake({}, {}, mailConfig);
    const sb = client(auth.url);
    const cases: [string, string][] = [
      [`${SITE}/welcome`, `${SITE}/welcome`],
      ["https://app.tangent.test:8443/other-port", "https://app.tangent.test:8443/other-port"],
      ["http://127.0.0.1:8080/callback", "http://127.0.0.1:8080/callback"],
      ["http://[::1]:8080/callback", "http://[::1]:8080/callback"],
      ["http://10.0.0.7/callback", SITE],
      ["http://localhost:3000/deep/path", "http://localhost:3000/deep/path"],
      ["https://preview.tangent.test/reset", "https://preview.tangent.test/reset"],
      ["tangent://auth-callback", "tangent://auth-callback"],
      ["https://a.b.tangent.test/reset", SITE],
      ["https://evil.example/steal", SITE],
      ["http://2130706433/", SITE],
    ];
    for (const [requested, kept] of cases) {
      const email = uniqueEmail("redirect");
      expect((await sb.auth.signInWithOtp({ email, options: { emailRedirectTo: requested } })).error).toBeNull();
      expect({ requested, kept: auth.mail(email)[0]!.redirect_to }).toEqual({ requested, kept });
    }
    // A redirect holding &, = or # is escaped in the link, as templatemailer's encodeRedirectURL does.
    const email = uniqueEmail("redirect-query");
    await sb.auth.signInWithOtp({ email, options: { emailRedirectTo: "http://localhost:3000/cb?next=/home&x=1" } });
    const mail = auth.mail(email)[0]!;
    expect(mail.confirmation_url).toBe(
      `${urls.api}/auth/v1/verify?token=${mail.token_hash}&type=signup&redirect_to=http%3A%2F%2Flocalhost%3A3000%2Fcb%3Fnext%3D%2Fhome%26x%3D1`,
    );
  });

  it("mails an email change to the new and, with double_confirm_changes, the current address", async () => {
    const auth = await fake({}, {}, mailConfig);
    const user = await createUser({}, uniqueEmail("change"));
    const sb = client(auth.url);
    expect((await sb.auth.signInWithPassword({ email: user.email, password: "password123" })).error).toBeNull();
    const next = uniqueEmail("changed");
    const { data, error } = await sb.auth.updateUser({ email: next }, { emailRedirectTo: `${SITE}/email-changed` });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ email: user.email, new_email: next });
    const [toNew] = auth.mail(next);
    const [toCurrent] = auth.mail(user.email);
    expect(toNew).toMatchObject({ type: "email_change", redirect_to: `${SITE}/email-changed`, token_hash: tokenHash(next, toNew!.token) });
    expect(config.auth.email.doubleConfirmChanges).toBe(true);
    expect(toCurrent).toMatchObject({ type: "email_change", token_hash: tokenHash(user.email, toCurrent!.token) });
    const [row] = await admin`select email_change_token_new, email_change_token_current from auth.users where id = ${user.id}`;
    expect(row).toEqual({ email_change_token_new: toNew!.token_hash, email_change_token_current: toCurrent!.token_hash });
    const again = await sb.auth.updateUser({ email: uniqueEmail("changed-again") });
    expect(again.error).toMatchObject({ status: 429, code: "over_email_send_rate_limit" });
  });
});

describe("Auth fake: admin API", () => {
  it("creates, lists, reads, bans, unbans and deletes users with the service role", async () => {
    const auth = await fake();
    const sb = client(auth.url, keys.serviceRoleKey);
    const email = uniqueEmail("admin");
    const created = await sb.auth.admin.createUser({
      email, password: "password123", email_confirm: true, user_metadata: { full_name: "By Admin" }, app_metadata: { tier: "gold" },
    });
    expect(created.error).toBeNull();
    const id = created.data.user!.id;
    expect(created.data.user).toMatchObject({ email, app_metadata: { provider: "email", providers: ["email"], tier: "gold" } });
    expect(created.data.user!.email_confirmed_at).toBeTruthy();
    const list = await call(auth.url, "GET", "/admin/users?page=1&per_page=2", undefined, { authorization: `Bearer ${keys.serviceRoleKey}` });
    expect(list.status).toBe(200);
    expect(list.body.aud).toBe("authenticated");
    expect(list.body.users).toHaveLength(2);
    expect(Number(list.headers.get("x-total-count"))).toBeGreaterThan(2);
    expect(list.headers.get("link")).toContain('rel="next"');
    const listed = await sb.auth.admin.listUsers({ page: 1, perPage: 1 });
    expect(listed.error).toBeNull();
    expect(listed.data.users).toHaveLength(1);
    expect((await sb.auth.admin.getUserById(id)).data.user!.email).toBe(email);
    const banned = await sb.auth.admin.updateUserById(id, { ban_duration: "876000h" });
    expect(new Date(banned.data.user!.banned_until!).getFullYear()).toBeGreaterThan(new Date().getFullYear() + 90);
    expect((await client(auth.url).auth.signInWithPassword({ email, password: "password123" })).error).toMatchObject({ code: "user_banned" });
    const unbanned = await sb.auth.admin.updateUserById(id, { ban_duration: "none", user_metadata: { extra: true } });
    expect(unbanned.data.user!.banned_until).toBeUndefined();
    expect(unbanned.data.user!.user_metadata).toMatchObject({ full_name: "By Admin", extra: true });
    expect((await client(auth.url).auth.signInWithPassword({ email, password: "password123" })).error).toBeNull();
    expect((await sb.auth.admin.deleteUser(id)).error).toBeNull();
    expect((await sb.auth.admin.getUserById(id)).error).toMatchObject({ status: 404, code: "user_not_found" });
    expect((await admin`select 1 from auth.sessions where user_id = ${id}`).length).toBe(0);
  });

  it("soft-deletes on request and accepts the secret key as apikey", async () => {
    const auth = await fake();
    const user = await createUser({}, uniqueEmail("soft"));
    const res = await call(auth.url, "DELETE", `/admin/users/${user.id}`, { should_soft_delete: true }, { apikey: keys.secretKey });
    expect(res.status).toBe(200);
    const [row] = await admin`select deleted_at, email from auth.users where id = ${user.id}`;
    expect(row!.deleted_at).toBeInstanceOf(Date);
    expect(row!.email).not.toBe(user.email);
  });

  it("refuses users and anonymous callers like GoTrue (401 no_authorization, 403 not_admin / bad_jwt)", async () => {
    const auth = await fake();
    const user = await createUser({}, uniqueEmail("notadmin"));
    const session = (await client(auth.url).auth.signInWithPassword({ email: user.email, password: "password123" })).data.session!;
    const none = await call(auth.url, "GET", "/admin/users");
    expect(none.body).toEqual({ code: 401, error_code: "no_authorization", msg: "This endpoint requires a Bearer token" });
    const asUser = await call(auth.url, "GET", "/admin/users", undefined, { authorization: `Bearer ${session.access_token}` });
    expect(asUser.body).toEqual({ code: 403, error_code: "not_admin", msg: "User not allowed" });
    const asAnon = await call(auth.url, "GET", "/admin/users", undefined, { authorization: `Bearer ${keys.anonKey}` });
    expect(asAnon.body).toMatchObject({ code: 403, error_code: "not_admin" });
    const forged = await call(auth.url, "GET", "/admin/users", undefined, { authorization: "Bearer not.a.jwt" });
    expect(forged.body).toMatchObject({ code: 403, error_code: "bad_jwt" });
  });
});

describe("Auth behind the stack's gateway", () => {
  it("signs in with supabase-js against API_URL and serves the user", async () => {
    const user = await createUser({}, uniqueEmail("gateway"));
    const sb = client(urls.api);
    const { data, error } = await sb.auth.signInWithPassword({ email: user.email, password: "password123" });
    expect(error).toBeNull();
    expect(decodeJwt(data.session!.access_token)).toMatchObject({ sub: user.id, iss: `${urls.api}/auth/v1` });
    expect((await sb.auth.getUser(data.session!.access_token)).data.user!.id).toBe(user.id);
    const jwks = await fetch(`${urls.api}/auth/v1/.well-known/jwks.json`);
    expect(((await jwks.json()) as { keys: { kid: string }[] }).keys[0]!.kid).toBe(keys.signingKey.kid);
  });

  it("captures the stack's mail: resetPasswordForEmail through API_URL, the code from /_fake/mail, verifyOtp", async () => {
    const user = await createUser({}, uniqueEmail("gateway-recover"));
    const sb = client(urls.api);
    expect((await sb.auth.resetPasswordForEmail(user.email)).error).toBeNull();
    const [mail, ...more] = await authMail(user.email);
    expect(more).toEqual([]);
    expect(mail).toMatchObject({ type: "recovery", user_id: user.id });
    const { data, error } = await sb.auth.verifyOtp({ email: user.email, token: mail!.token, type: "recovery" });
    expect(error).toBeNull();
    expect(data.session!.user.id).toBe(user.id);
    // The mailbox is the fake's own: the gateway passes /auth/v1/* only, and the fake has no such Auth route.
    const viaGateway = await fetch(`${urls.api}/auth/v1/_fake/mail?to=${encodeURIComponent(user.email)}`, { headers: { apikey: keys.anonKey } });
    expect(viaGateway.status).toBe(404);
  });
});
