// The `me` handler against the real database: RLS applies because it runs as the caller.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPair, SignJWT } from "jose";
import { createJwtVerifier } from "../../functions/_shared/auth.ts";
import { connect } from "../../functions/_shared/db.ts";
import { createMeHandler } from "../../functions/me/handler.ts";
import { publicJwks, LOCAL_JWT_SECRET } from "../../scripts/lib/keys.ts";
import { closeDbs, createUser, mintToken, openDb, signClaims, stackKeys, urls, type TestUser } from "../helpers/stack.ts";

const sql = connect(urls.db);
const handler = createMeHandler({
  verifyCaller: createJwtVerifier({ jwks: JSON.stringify(publicJwks(stackKeys())), legacySecret: LOCAL_JWT_SECRET }),
  sql,
});

function call(method: string, token?: string, body?: unknown, contentType = "application/json"): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = contentType;
  return handler(new Request("http://127.0.0.1/functions/v1/me", {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  }));
}

async function errorOf(res: Response): Promise<{ code: string; message: string; details?: { fields?: Record<string, string[]> } }> {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

let user: TestUser;
let token: string;

beforeAll(async () => {
  user = await createUser({ username: `u_${crypto.randomUUID().slice(0, 8)}`, full_name: "Test Person", language: "ru" });
  token = (await mintToken(user.email)).accessToken;
});

afterAll(async () => {
  await sql.end();
  await closeDbs();
});

describe("GET /me", () => {
  it("returns the caller's own profile, created by the signup trigger", async () => {
    const res = await call("GET", token);
    expect(res.status).toBe(200);
    const profile = await res.json();
    expect(profile).toMatchObject({ id: user.id, full_name: "Test Person", language: "ru", email: user.email });
  });

  it("401 auth.missing_token without a token", async () => {
    const res = await call("GET");
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("auth.missing_token");
  });

  it("401 auth.token_expired for an expired token", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await signClaims({ sub: user.id, role: "authenticated", aud: "authenticated", iat: now - 7200, exp: now - 3600 });
    const res = await call("GET", expired);
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("auth.token_expired");
  });

  it("401 auth.invalid_token for a token signed by a key the project does not publish", async () => {
    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    const kid = stackKeys().signingKey.kid;
    const forged = await new SignJWT({ sub: user.id, role: "authenticated", aud: "authenticated" })
      .setProtectedHeader({ alg: "ES256", kid })
      .setExpirationTime("1h")
      .sign(privateKey);
    const res = await call("GET", forged);
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("auth.invalid_token");
  });

  it("401 auth.invalid_token for an HS256 token signed with the wrong secret", async () => {
    const forged = await new SignJWT({ sub: user.id, role: "authenticated", aud: "authenticated" })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("not-the-project-secret-not-the-project-secret"));
    const res = await call("GET", forged);
    expect((await errorOf(res)).code).toBe("auth.invalid_token");
  });

  it("401 auth.invalid_token for the anon API key: a project JWT, but not a user session", async () => {
    const res = await call("GET", stackKeys().anonKey);
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("auth.invalid_token");
  });

  it("401 auth.not_a_user for a project-signed token whose role is not authenticated", async () => {
    const now = Math.floor(Date.now() / 1000);
    const posing = await signClaims({ sub: user.id, role: "service_role", aud: "authenticated", iat: now, exp: now + 600 });
    const res = await call("GET", posing);
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("auth.not_a_user");
  });

  it("401 auth.session_ended once the user is deleted, even with a still-valid token", async () => {
    const gone = await createUser();
    const goneToken = (await mintToken(gone.email)).accessToken;
    await openDb("supabase_admin")`delete from auth.users where id = ${gone.id}`;
    const res = await call("GET", goneToken);
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("auth.session_ended");
  });

  it("401 auth.session_ended after sign-out: the token's session no longer exists", async () => {
    const leaving = await createUser();
    const issued = await mintToken(leaving.email);
    await openDb("supabase_admin")`delete from auth.sessions where id = ${issued.sessionId}`;
    const res = await call("GET", issued.accessToken);
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("auth.session_ended");
  });

  it("405 for other methods", async () => {
    const res = await call("DELETE", token);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, PATCH");
  });
});

describe("PATCH /me", () => {
  it("changes the fields a user owns and stamps updated_at", async () => {
    const before = (await openDb()`select updated_at from public.profiles where id = ${user.id}`)[0]!.updated_at as Date;
    const res = await call("PATCH", token, { full_name: "  Renamed Person ", language: "uz", avatar_url: "https://cdn.example/a.png" });
    expect(res.status).toBe(200);
    const profile = (await res.json()) as { full_name: string; language: string; avatar_url: string };
    expect(profile).toMatchObject({ full_name: "Renamed Person", language: "uz", avatar_url: "https://cdn.example/a.png" });
    const [row] = await openDb()`select full_name, language, updated_at from public.profiles where id = ${user.id}`;
    expect(row).toMatchObject({ full_name: "Renamed Person", language: "uz" });
    expect((row!.updated_at as Date).getTime()).toBeGreaterThan(before.getTime());
  });

  it("400 naming the field for a bad value, and changes nothing", async () => {
    const res = await call("PATCH", token, { language: "de", full_name: "Should Not Land" });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("request.invalid_body");
    expect(Object.keys(error.details?.fields ?? {})).toEqual(["language"]);
    const [row] = await openDb()`select full_name from public.profiles where id = ${user.id}`;
    expect(row!.full_name).not.toBe("Should Not Land");
  });

  it("400 naming each protected field the caller tried to set", async () => {
    const res = await call("PATCH", token, { email: "evil@example.com", id: crypto.randomUUID(), language: "en" });
    expect(res.status).toBe(400);
    const fields = (await errorOf(res)).details?.fields ?? {};
    expect(Object.keys(fields).sort()).toEqual(["email", "id"]);
    const [row] = await openDb()`select email from public.profiles where id = ${user.id}`;
    expect(row!.email).toBe(user.email);
  });

  it("400 for an empty change set, malformed JSON and a non-JSON body", async () => {
    expect((await errorOf(await call("PATCH", token, {}))).code).toBe("request.invalid_body");
    expect((await errorOf(await call("PATCH", token, "{not json"))).code).toBe("request.malformed_json");
    const res = await call("PATCH", token, "language=en", "application/x-www-form-urlencoded");
    expect(res.status).toBe(415);
  });

  it("400 for a username that breaks the format rule", async () => {
    const res = await call("PATCH", token, { username: "no spaces allowed" });
    expect(Object.keys((await errorOf(res)).details?.fields ?? {})).toEqual(["username"]);
  });

  it("409 profile.username_taken when another user holds the name in any letter case", async () => {
    const name = `Taken_${crypto.randomUUID().slice(0, 6)}`;
    await createUser({ username: name });
    const res = await call("PATCH", token, { username: name.toUpperCase() });
    expect(res.status).toBe(409);
    expect((await errorOf(res)).code).toBe("profile.username_taken");
  });
});
