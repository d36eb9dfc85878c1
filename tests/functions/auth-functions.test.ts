// The login, check-user, change-password and admin-users handlers against the real database and an
// Auth fake of this file's own: input validation, error codes and the paths the e2e flows do not take.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJwtVerifier } from "../../functions/_shared/auth.ts";
import { AuthApiError, createAuthApi, type AuthApi } from "../../functions/_shared/auth-api.ts";
import { connect } from "../../functions/_shared/db.ts";
import { createAdminUsersHandler } from "../../functions/admin-users/handler.ts";
import { createChangePasswordHandler } from "../../functions/change-password/handler.ts";
import { createCheckUserHandler } from "../../functions/check-user/handler.ts";
import { createLoginHandler, loginLimits } from "../../functions/login/handler.ts";
import { publicJwks } from "../../scripts/lib/keys.ts";
import { startAuthFake, type AuthFake } from "../fakes/auth.ts";
import { authFakeOptions, closeDbs, createUser, mintToken, stackKeys, urls } from "../helpers/stack.ts";

const sql = connect(urls.db);
let fake: AuthFake;
let auth: AuthApi;
const verifyCaller = createJwtVerifier({ jwks: JSON.stringify(publicJwks(stackKeys())) });

beforeAll(async () => {
  fake = await startAuthFake(authFakeOptions());
  auth = createAuthApi({ url: fake.url, publishableKey: stackKeys().anonKey, secretKey: stackKeys().serviceRoleKey });
});

afterAll(async () => {
  await fake.stop();
  await sql.end();
  await closeDbs();
});

function request(path: string, method: string, body?: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`http://127.0.0.1/functions/v1/${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

interface ErrorBody {
  error: { code: string; message: string; details?: { fields?: Record<string, string[]> } & Record<string, unknown> };
}

const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;
const ip = () => `203.0.113.${Math.floor(Math.random() * 250)}`;

describe("login", () => {
  const handler = () => createLoginHandler({ sql, auth });

  it.each([
    [{ password: "x" }, "identifier"],
    [{ username: "a", email: "a@b.c", password: "x" }, "identifier"],
    [{ username: "alice" }, "password"],
    [{ username: "alice", password: "x", remember_me: true }, "remember_me"],
  ])("400 request.invalid_body naming the field: %j", async (body, field) => {
    const res = await handler()(request("login", "POST", body));
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("request.invalid_body");
    expect(error.details?.fields).toHaveProperty(field);
  });

  it("415 for a form post, 400 for broken JSON, 405 for GET", async () => {
    expect((await handler()(request("login", "POST", "a=b", { "content-type": "application/x-www-form-urlencoded" }))).status).toBe(415);
    expect((await errorOf(await handler()(request("login", "POST", "{nope")))).code).toBe("request.malformed_json");
    expect((await handler()(request("login", "GET"))).status).toBe(405);
  });

  it("counts attempts per identifier across IPs and answers 429 with retry-after past the limit", async () => {
    const user = await createUser();
    const attempt = () => handler()(request("login", "POST", { email: user.email, password: "wrong-pass1" }, { "x-forwarded-for": ip() }));
    for (let i = 0; i < loginLimits.perIdentifier.max; i++) expect((await attempt()).status).toBe(400);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe(String(loginLimits.perIdentifier.windowSeconds));
    expect((await errorOf(limited)).code).toBe("request.rate_limited");
  });

  it("502 auth.unavailable, not a crash, when Auth answers something unexpected", async () => {
    const broken: AuthApi = { ...auth, passwordGrant: () => Promise.reject(new AuthApiError(503, "http_503", "upstream down")) };
    const res = await createLoginHandler({ sql, auth: broken })(request("login", "POST", { username: "alice", password: "password123" }, { "x-forwarded-for": ip() }));
    expect(res.status).toBe(502);
    expect(await errorOf(res)).toMatchObject({ code: "auth.unavailable", details: { auth_error: "http_503" } });
  });

  it("an unconfirmed email gets 403 auth.email_not_confirmed once the password is right", async () => {
    const user = await createUser();
    await sql`update auth.users set email_confirmed_at = null where id = ${user.id}`;
    const res = await handler()(request("login", "POST", { email: user.email, password: "password123" }, { "x-forwarded-for": ip() }));
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe("auth.email_not_confirmed");
  });
});

describe("check-user", () => {
  const handler = createCheckUserHandler({ sql });

  it("normalises the number it answers for, and answers for emails", async () => {
    const digits = `99893${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
    await sql`select tests.create_user(phone => ${digits})`;
    const spaced = `+${digits.slice(0, 3)} (${digits.slice(3, 5)}) ${digits.slice(5, 8)}-${digits.slice(8)}`;
    const phone = await handler(request("check-user", "POST", { phone: spaced }, { "x-forwarded-for": ip() }));
    expect(await phone.json()).toEqual({ exists: true, phone: `+${digits}` });
    const email = await handler(request("check-user", "POST", { email: "ALICE@tangent.test" }, { "x-forwarded-for": ip() }));
    expect(await email.json()).toEqual({ exists: true, email: "alice@tangent.test" });
  });

  it("refuses two identifiers at once and unknown fields", async () => {
    const both = await handler(request("check-user", "POST", { phone: "+998901234567", email: "a@b.co" }));
    expect(both.status).toBe(400);
    const extra = await handler(request("check-user", "POST", { phone: "+998901234567", password: "x" }));
    expect((await errorOf(extra)).details?.fields).toHaveProperty("password");
  });

  it("limits one IP to 20 questions per 10 minutes, whatever it asks", async () => {
    const from = ip();
    let last: Response | undefined;
    for (let i = 0; i < 21; i++) {
      last = await handler(request("check-user", "POST", { phone: `+99890${String(1000000 + i)}` }, { "x-forwarded-for": from }));
    }
    expect(last!.status).toBe(429);
    expect((await errorOf(last!)).details).toMatchObject({ limit: "check-user:ip", max: 20 });
  });
});

describe("change-password", () => {
  const handler = () => createChangePasswordHandler({ verifyCaller, sql, auth });

  it("401 without a token; 400 naming new_password when it equals the old one", async () => {
    expect((await handler()(request("change-password", "POST", {}))).status).toBe(401);
    const user = await createUser();
    const { accessToken } = await mintToken(user.email);
    const same = await handler()(request("change-password", "POST",
      { old_password: "password123", new_password: "password123", new_password2: "password123" }, { authorization: `Bearer ${accessToken}` }));
    expect(same.status).toBe(400);
    expect((await errorOf(same)).details?.fields).toEqual({ new_password: ["must differ from the current password"] });
  });

  it("wrong current passwords count towards the account lock", async () => {
    const user = await createUser();
    const { accessToken } = await mintToken(user.email);
    const attempt = (old: string) => handler()(request("change-password", "POST",
      { old_password: old, new_password: "another123", new_password2: "another123" }, { authorization: `Bearer ${accessToken}` }));
    for (let i = 0; i < 4; i++) expect((await errorOf(await attempt("guess-123"))).details?.fields).toEqual({ old_password: ["is wrong"] });
    const fifth = await errorOf(await attempt("guess-123"));
    expect(fifth.details?.fields?.old_password?.[0]).toMatch(/too many failed/i);
    const right = await errorOf(await attempt("password123"));
    expect(right.code).toBe("password.wrong_old_password");
  });
});

describe("admin-users", () => {
  const handler = () => createAdminUsersHandler({ verifyCaller, sql, auth });
  let admin: string;
  beforeAll(async () => {
    admin = (await mintToken("admin@tangent.test")).accessToken;
  });

  it("400 for a malformed user id, 405 for a method the route lacks, 404 for an unknown user", async () => {
    const bearer = { authorization: `Bearer ${admin}` };
    expect((await errorOf(await handler()(request("admin-users/not-a-uuid", "DELETE", undefined, bearer)))).code).toBe("request.invalid_id");
    expect((await handler()(request("admin-users", "DELETE", undefined, bearer))).status).toBe(405);
    const missing = await handler()(request(`admin-users/${crypto.randomUUID()}`, "DELETE", undefined, bearer));
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe("user.not_found");
  });

  it("validates paging and the role filter", async () => {
    const res = await handler()(request("admin-users?per_page=500&role=superuser", "GET", undefined, { authorization: `Bearer ${admin}` }));
    expect(res.status).toBe(400);
    expect(Object.keys((await errorOf(res)).details?.fields ?? {}).sort()).toEqual(["per_page", "role"]);
  });

  it("409 user.already_exists for an email Auth already has; the password policy applies", async () => {
    const bearer = { authorization: `Bearer ${admin}` };
    const dup = await handler()(request("admin-users", "POST", { email: "alice@tangent.test", password: "password123", role: "client" }, bearer));
    expect(dup.status).toBe(409);
    expect((await errorOf(dup)).code).toBe("user.already_exists");
    const weak = await handler()(request("admin-users", "POST", { email: "weak@test.tangent", password: "weak", role: "client" }, bearer));
    expect((await errorOf(weak)).details?.fields).toHaveProperty("password");
  });

  it("a tool creator posing as admin is refused before anything reaches Auth", async () => {
    const creator = (await mintToken("bob@tangent.test")).accessToken;
    const before = fake.requests.length;
    const res = await handler()(request("admin-users", "POST", { email: "x@test.tangent", password: "password123", role: "admin" }, { authorization: `Bearer ${creator}` }));
    expect(res.status).toBe(403);
    expect(fake.requests.length).toBe(before);
  });
});
