// Every auth flow of the seeds over HTTP against the running stack, called the way a frontend calls
// them with supabase-js: Auth (the stack's Auth fake, which calls our real hooks) → send-sms hook →
// Twilio fake, and our functions behind the gateway → PostgreSQL with RLS.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type SupabaseClient, type SupabaseClientOptions } from "@supabase/supabase-js";
import { decodeJwt } from "jose";
import ws from "ws";
import { startAuthFake, type AuthFake } from "../fakes/auth.ts";
import { authFakeOptions, closeDbs, createUser, openDb, stackKeys, stackState, urls } from "../helpers/stack.ts";

type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<"public">["realtime"]>["transport"]>;

function client(url = urls.api, accessToken?: string): SupabaseClient {
  return createClient(url, stackKeys().anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: accessToken ? { headers: { Authorization: `Bearer ${accessToken}` } } : {},
    realtime: { transport: ws as unknown as RealtimeTransport },
  });
}

interface ErrorBody {
  error: { code: string; message: string; details?: { fields?: Record<string, string[]> } };
}

async function post(fn: string, body: unknown, token?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${urls.functions}/${fn}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify(body),
  });
}

async function login(identifier: string, password = "password123"): Promise<{ access_token: string; refresh_token: string }> {
  const res = await post("login", { identifier, password }, undefined, { "x-forwarded-for": randomIp() });
  expect(res.status, await res.clone().text()).toBe(200);
  return await res.json() as { access_token: string; refresh_token: string };
}

// Each test its own client address, so the per-IP limits of one test do not spill into another.
function randomIp(): string {
  return `198.51.${Math.floor(Math.random() * 255)}.${Math.floor(Math.random() * 255)}`;
}

function randomUzPhone(): string {
  return `+99890${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
}

async function smsTo(phone: string): Promise<string[]> {
  const twilio = stackState().fakes.Twilio!;
  const messages = await (await fetch(`${twilio}/_fake/messages`)).json() as { to: string; body: string }[];
  return messages.filter((m) => m.to === phone).map((m) => m.body);
}

function codeIn(text: string): string {
  const code = /\b(\d{6})\b/.exec(text)?.[1];
  if (code === undefined) throw new Error(`no 6-digit code in "${text}"`);
  return code;
}

afterAll(closeDbs);

describe("seed 001: phone sign-in with an SMS code", () => {
  it("texts the code in the user's language through the send-sms hook, refuses a wrong code, signs in with the right one", async () => {
    const phone = randomUzPhone();
    const supabase = client();
    const sent = await supabase.auth.signInWithOtp({ phone, options: { data: { language: "ru", full_name: "Тимур Ахмедов" } } });
    expect(sent.error).toBeNull();
    const [text] = await smsTo(phone);
    expect(text).toMatch(/код/i);
    const code = codeIn(text!);

    const wrong = await supabase.auth.verifyOtp({ phone, token: code === "000000" ? "111111" : "000000", type: "sms" });
    expect(wrong.error?.status).toBe(403);
    expect(wrong.error?.code).toBe("otp_expired");

    const right = await supabase.auth.verifyOtp({ phone, token: code, type: "sms" });
    expect(right.error).toBeNull();
    const claims = decodeJwt(right.data.session!.access_token);
    expect(claims).toMatchObject({ phone: phone.slice(1), user_roles: ["client"], tenants: [] });

    // register after OTP (seed 001): password and profile fields
    const signedIn = client();
    await signedIn.auth.setSession(right.data.session!);
    const password = await signedIn.auth.updateUser({ password: "pass1234word" });
    expect(password.error).toBeNull();
    const profile = await signedIn.functions.invoke("me", {
      method: "PATCH", body: { date_of_birth: "1990-01-01", gender: "male" },
    });
    expect(profile.error).toBeNull();
    expect(profile.data).toMatchObject({ full_name: "Тимур Ахмедов", language: "ru", phone, date_of_birth: "1990-01-01", gender: "male" });

    // and now the phone + password login of seed 001 works
    const byPassword = await post("login", { phone_number: phone, password: "pass1234word" }, undefined, { "x-forwarded-for": randomIp() });
    expect(byPassword.status).toBe(200);
  });

  it("a code typed after its 5 minutes is refused as expired (Auth's clock frozen past the expiry)", async () => {
    // An Auth fake of this test's own, so freezing its clock cannot disturb other tests.
    const auth: AuthFake = await startAuthFake(authFakeOptions({ hookOrigin: urls.api }));
    try {
      const phone = randomUzPhone();
      const supabase = createClient(auth.url, stackKeys().anonKey, {
        auth: { persistSession: false, autoRefreshToken: false },
        realtime: { transport: ws as unknown as RealtimeTransport },
      });
      expect((await supabase.auth.signInWithOtp({ phone })).error).toBeNull();
      const code = codeIn((await smsTo(phone))[0]!);
      auth.setNow(new Date(Date.now() + 6 * 60_000));
      const late = await supabase.auth.verifyOtp({ phone, token: code, type: "sms" });
      expect(late.error?.code).toBe("otp_expired");
    } finally {
      await auth.stop();
    }
  });

  it("check-user says whether a number is registered, and stops answering a number asked too often", async () => {
    const ip = randomIp();
    const registered = randomUzPhone();
    await openDb()`select tests.create_user(phone => ${registered})`;
    const known = await post("check-user", { phone_number: registered }, undefined, { "x-forwarded-for": ip });
    expect(await known.json()).toEqual({ exists: true, phone: registered });
    const unknown = randomUzPhone();
    for (let i = 0; i < 5; i++) {
      const res = await post("check-user", { phone_number: unknown }, undefined, { "x-forwarded-for": randomIp() });
      expect(await res.json()).toEqual({ exists: false, phone: unknown });
    }
    const sixth = await post("check-user", { phone_number: unknown }, undefined, { "x-forwarded-for": randomIp() });
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get("retry-after")).toBe("3600");
    expect(((await sixth.json()) as ErrorBody).error.code).toBe("request.rate_limited");

    const bad = await post("check-user", { phone_number: "call me" }, undefined, { "x-forwarded-for": ip });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorBody).error.details?.fields).toHaveProperty("phone_number");
  });
});

describe("seeds 000, 003, 004: login by username, email or phone", () => {
  it("a seeded tenant owner logs in by username; the token carries roles and memberships; me works", async () => {
    const session = await login("AZIZ");
    expect(decodeJwt(session.access_token)).toMatchObject({
      email: "owner.a@tangent.test",
      user_roles: ["client"],
      tenants: [{ id: "00000000-0000-4000-b000-000000000001", role: "owner" }],
    });
    const me = await client(urls.api, session.access_token).functions.invoke("me", { method: "GET" });
    expect(me.data).toMatchObject({ username: "aziz" });
  });

  it("an unknown user and a wrong password get the same answer", async () => {
    const unknown = await post("login", { username: "nobody_here", password: "password123" }, undefined, { "x-forwarded-for": randomIp() });
    const wrong = await post("login", { username: "aziz", password: "wrong-password1" }, undefined, { "x-forwarded-for": randomIp() });
    expect(unknown.status).toBe(400);
    expect(wrong.status).toBe(400);
    expect(await unknown.json()).toEqual(await wrong.json());
  });

  it("five wrong passwords lock the account: even the right one is refused, with a message saying why", async () => {
    const user = await createUser({ username: `lock_${crypto.randomUUID().slice(0, 8)}` });
    for (let i = 0; i < 5; i++) {
      const res = await post("login", { email: user.email, password: "wrong-password1" }, undefined, { "x-forwarded-for": randomIp() });
      expect(res.status).toBe(400);
    }
    const locked = await post("login", { email: user.email, password: "password123" }, undefined, { "x-forwarded-for": randomIp() });
    expect(locked.status).toBe(400);
    expect(((await locked.json()) as ErrorBody).error.message).toMatch(/too many failed/i);
  });

  it("sign-out ends the session at once: the old access token is refused on its next request", async () => {
    const session = await login("alice@tangent.test");
    const supabase = client();
    await supabase.auth.setSession(session);
    expect((await supabase.auth.signOut()).error).toBeNull();
    const res = await fetch(`${urls.functions}/me`, { headers: { authorization: `Bearer ${session.access_token}` } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as ErrorBody).error.code).toBe("auth.session_ended");
  });
});

describe("seed 003 / 002: sign-up", () => {
  it("self-signup may ask for tool_creator but never admin; an unconfirmed email cannot sign in", async () => {
    const supabase = client();
    const email = `signup_${crypto.randomUUID().slice(0, 8)}@test.tangent`;
    const admin = await supabase.auth.signUp({ email, password: "password123", options: { data: { role: "admin" } } });
    expect(admin.error?.message).toMatch(/role must be client or tool_creator/);

    const creator = await supabase.auth.signUp({ email, password: "password123", options: { data: { role: "tool_creator", username: `tc_${crypto.randomUUID().slice(0, 8)}` } } });
    expect(creator.error).toBeNull();
    expect(creator.data.session).toBeNull();
    const db = openDb();
    const roles = await db<{ role: string }[]>`select role from public.user_roles where user_id = ${creator.data.user!.id}`;
    expect(roles.map((r) => r.role)).toEqual(["tool_creator"]);

    const early = await supabase.auth.signInWithPassword({ email, password: "password123" });
    expect(early.error?.code).toBe("email_not_confirmed");
  });

  it("a taken username is refused before the account exists, in any letter case", async () => {
    const { error } = await client().auth.signUp({
      email: `dup_${crypto.randomUUID().slice(0, 8)}@test.tangent`, password: "password123", options: { data: { username: "ALICE" } },
    });
    expect(error?.status).toBe(409);
    expect(error?.message).toBe("username is already taken");
  });
});

describe("seed 004: change password (old, new, new2)", () => {
  let email: string;
  beforeAll(async () => {
    email = (await createUser({})).email;
  });

  it("checks the form, refuses a wrong current password, then changes it and ends the other sessions", async () => {
    const first = await login(email);
    const second = await login(email);

    const mismatch = await post("change-password", { old_password: "password123", new_password: "newpass123", new_password2: "newpass124" }, first.access_token);
    expect(mismatch.status).toBe(400);
    expect(((await mismatch.json()) as ErrorBody).error.details?.fields).toEqual({ new_password2: ["does not match new_password"] });

    const weak = await post("change-password", { old_password: "password123", new_password: "short", new_password2: "short" }, first.access_token);
    expect(((await weak.json()) as ErrorBody).error.details?.fields?.new_password).toContain("must be at least 8 characters");

    const wrongOld = await post("change-password", { old_password: "not-it-123", new_password: "newpass123", new_password2: "newpass123" }, first.access_token);
    expect(wrongOld.status).toBe(400);
    expect(((await wrongOld.json()) as ErrorBody).error.code).toBe("password.wrong_old_password");

    const changed = await post("change-password", { old_password: "password123", new_password: "newpass123", new_password2: "newpass123" }, first.access_token);
    expect(changed.status).toBe(200);
    expect(await changed.json()).toEqual({ password_changed: true, other_sessions_revoked: true });

    const other = await fetch(`${urls.functions}/me`, { headers: { authorization: `Bearer ${second.access_token}` } });
    expect(other.status).toBe(401);
    const refreshed = await client().auth.refreshSession({ refresh_token: second.refresh_token });
    expect(refreshed.error).not.toBeNull();
    const still = await fetch(`${urls.functions}/me`, { headers: { authorization: `Bearer ${first.access_token}` } });
    expect(still.status).toBe(200);

    expect((await post("login", { email, password: "password123" }, undefined, { "x-forwarded-for": randomIp() })).status).toBe(400);
    await login(email, "newpass123");
  });
});

describe("seeds 000 and 002: admin user management", () => {
  let admin: string;
  beforeAll(async () => {
    admin = (await login("admin@tangent.test")).access_token;
  });

  it("only admins list and search users", async () => {
    const res = await fetch(`${urls.functions}/admin-users?search=aziz&per_page=10`, { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(200);
    const page = await res.json() as { users: { username: string }[]; total: number };
    expect(page.users.map((u) => u.username)).toContain("aziz");
    expect(page.total).toBeGreaterThanOrEqual(1);

    const client_ = (await login("alice")).access_token;
    const refused = await fetch(`${urls.functions}/admin-users`, { headers: { authorization: `Bearer ${client_}` } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as ErrorBody).error.code).toBe("auth.forbidden");
    const posing = await post("admin-users", { email: "x@test.tangent", password: "password123", role: "admin" }, client_);
    expect(posing.status).toBe(403);
  });

  it("creates an admin and a tool creator, bans, unbans and deletes; a deleted user's token stops working", async () => {
    const adminEmail = `adm_${crypto.randomUUID().slice(0, 8)}@test.tangent`;
    const created = await post("admin-users", { email: adminEmail, password: "password123", role: "admin" }, admin);
    expect(created.status).toBe(201);
    expect(decodeJwt((await login(adminEmail)).access_token).user_roles).toEqual(["admin", "client"]);

    const email = `tc_${crypto.randomUUID().slice(0, 8)}@test.tangent`;
    const res = await post("admin-users", { email, password: "password123", role: "tool_creator", first_name: "Tool" }, admin);
    const { user } = await res.json() as { user: { id: string } };
    const session = await login(email);
    expect(decodeJwt(session.access_token).user_roles).toEqual(["tool_creator"]);

    const banned = await fetch(`${urls.functions}/admin-users/${user.id}`, {
      method: "PATCH", headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" }, body: JSON.stringify({ banned: true }),
    });
    expect(banned.status).toBe(200);
    const whileBanned = await post("login", { email, password: "password123" }, undefined, { "x-forwarded-for": randomIp() });
    expect(whileBanned.status).toBe(403);
    expect(((await whileBanned.json()) as ErrorBody).error.code).toBe("auth.user_banned");
    expect((await fetch(`${urls.functions}/me`, { headers: { authorization: `Bearer ${session.access_token}` } })).status).toBe(401);

    await fetch(`${urls.functions}/admin-users/${user.id}`, {
      method: "PATCH", headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" }, body: JSON.stringify({ banned: false }),
    });
    const again = await login(email);

    const deleted = await fetch(`${urls.functions}/admin-users/${user.id}`, { method: "DELETE", headers: { authorization: `Bearer ${admin}` } });
    expect(await deleted.json()).toEqual({ id: user.id, deleted: true });
    expect((await fetch(`${urls.functions}/me`, { headers: { authorization: `Bearer ${again.access_token}` } })).status).toBe(401);
    expect((await post("login", { email, password: "password123" }, undefined, { "x-forwarded-for": randomIp() })).status).toBe(400);

    const db = openDb();
    const trail = await db<{ action: string }[]>`select action from public.audit_log where target_id = ${user.id} order by id`;
    expect(trail.map((r) => r.action)).toEqual(expect.arrayContaining([
      "admin.user_created", "admin.user_banned", "user.banned", "admin.user_unbanned", "user.unbanned", "user.deleted", "admin.user_deleted",
    ]));
  });

  it("an admin cannot delete themselves", async () => {
    const self = decodeJwt(admin).sub!;
    const res = await fetch(`${urls.functions}/admin-users/${self}`, { method: "DELETE", headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.code).toBe("user.self");
  });
});
