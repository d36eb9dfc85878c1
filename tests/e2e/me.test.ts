// The running stack over HTTP: gateway (verify_jwt) → Deno function → PostgreSQL, called the way a
// frontend calls it, with supabase-js.
import { afterAll, describe, expect, it } from "vitest";
import { createClient, type SupabaseClientOptions } from "@supabase/supabase-js";
import ws from "ws";
import { closeDbs, createUser, mintToken, openDb, signClaims, stackKeys, urls } from "../helpers/stack.ts";

afterAll(closeDbs);

type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<"public">["realtime"]>["transport"]>;

function clientFor(accessToken: string) {
  return createClient(urls.api, stackKeys().anonKey, {
    global: { headers: { Authorization: `Bearer ${accessToken}` } },
    auth: { persistSession: false, autoRefreshToken: false },
    // Node 20 has no global WebSocket; supabase-js builds its realtime client eagerly.
    realtime: { transport: ws as unknown as RealtimeTransport },
  });
}

describe("functions/v1/me over HTTP", () => {
  it("the gateway refuses a request without a JWT before the function runs (verify_jwt)", async () => {
    const res = await fetch(`${urls.functions}/me`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 401, message: "Missing authorization header" });
  });

  it("the gateway refuses a malformed JWT", async () => {
    const res = await fetch(`${urls.functions}/me`, { headers: { authorization: "Bearer not.a.jwt" } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 401, message: "Invalid JWT" });
  });

  it("the gateway remembers a verified token only until it expires, and only those exact bytes", async () => {
    const user = await createUser();
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: user.id, role: "authenticated", aud: "authenticated", iat: now };
    const shortLived = await signClaims({ ...claims, exp: now + 2 });
    const call = (token: string) => fetch(`${urls.functions}/me`, { headers: { authorization: `Bearer ${token}` } });
    const passed = await call(shortLived);
    expect(await passed.json()).not.toEqual({ code: 401, message: "Invalid JWT" });
    // Another token's signature on the remembered header and claims.
    const other = (await signClaims({ ...claims, exp: now + 3600 })).split(".")[2];
    const forged = await call(`${shortLived.split(".").slice(0, 2).join(".")}.${other}`);
    expect([forged.status, await forged.json()]).toEqual([401, { code: 401, message: "Invalid JWT" }]);
    await new Promise((resolve) => setTimeout(resolve, (now + 3) * 1000 - Date.now()));
    const expired = await call(shortLived);
    expect([expired.status, await expired.json()]).toEqual([401, { code: 401, message: "Invalid JWT" }]);
  });

  it("the anon key passes the gateway but the function wants a user", async () => {
    const res = await fetch(`${urls.functions}/me`, { headers: { authorization: `Bearer ${stackKeys().anonKey}` } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("auth.invalid_token");
  });

  it("a seeded user reads their profile with supabase-js functions.invoke", async () => {
    const { accessToken } = await mintToken("alice");
    const { data, error } = await clientFor(accessToken).functions.invoke("me", { method: "GET" });
    expect(error).toBeNull();
    expect(data).toMatchObject({ username: "alice", email: "alice@tangent.test", language: "uz" });
  });

  it("a phone-only user gets their E.164 number", async () => {
    const { accessToken } = await mintToken("+998901234567");
    const res = await fetch(`${urls.functions}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(await res.json()).toMatchObject({ phone: "+998901234567", email: null });
  });

  it("PATCH round-trips through the function into the database, and bad input is a 400 naming the field", async () => {
    const user = await createUser({ full_name: "Before" });
    const { accessToken, userId } = await mintToken(user.email);
    const client = clientFor(accessToken);
    const ok = await client.functions.invoke("me", { method: "PATCH", body: { full_name: "After" } });
    expect(ok.error).toBeNull();
    const [row] = await openDb()`select full_name from public.profiles where id = ${userId}`;
    expect(row!.full_name).toBe("After");
    expect(userId).toBe(user.id);

    const res = await fetch(`${urls.functions}/me`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ phone: "+10000000000" }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { details: { fields: object } } }).error.details.fields).toHaveProperty("phone");
  });

  it("answers CORS preflights without credentials", async () => {
    const res = await fetch(`${urls.functions}/me`, { method: "OPTIONS" });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-headers")).toContain("authorization");
  });

  it("404 for a function that does not exist", async () => {
    const res = await fetch(`${urls.functions}/nope`, { headers: { authorization: `Bearer ${stackKeys().anonKey}` } });
    expect(res.status).toBe(404);
  });

  it("publishes the signing key set at the Auth JWKS URL", async () => {
    const res = await fetch(`${urls.api}/auth/v1/.well-known/jwks.json`);
    const jwks = (await res.json()) as { keys: { kid: string; d?: string }[] };
    expect(jwks.keys[0]!.kid).toBe(stackKeys().signingKey.kid);
    expect(jwks.keys[0]!.d).toBeUndefined();
  });
});
