// The verifier as hosted projects use it: no SUPABASE_JWKS inline, keys fetched from the Auth JWKS URL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { createJwtVerifier, type VerifyCaller } from "../../functions/_shared/auth.ts";
import { ApiError } from "../../functions/_shared/http.ts";
import { startAuthFake, type AuthFake } from "../fakes/auth.ts";
import { authFakeOptions } from "../helpers/stack.ts";

let auth: AuthFake;
let verify: VerifyCaller;
let signingKey: CryptoKey;
const kid = "key-1";

beforeAll(async () => {
  const pair = await generateKeyPair("ES256", { extractable: true });
  signingKey = pair.privateKey;
  auth = await startAuthFake(authFakeOptions({ jwks: [{ ...(await exportJWK(pair.publicKey)), kid, alg: "ES256", use: "sig" }] }));
  verify = createJwtVerifier({ jwksUrl: `${auth.url}/auth/v1/.well-known/jwks.json` });
});

afterAll(() => auth.stop());

function token(key: CryptoKey, keyId: string, claims: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ sub: crypto.randomUUID(), role: "authenticated", aud: "authenticated", ...claims })
    .setProtectedHeader({ alg: "ES256", kid: keyId, typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(key);
}

const request = (t: string) => new Request("http://x/", { headers: { authorization: `Bearer ${t}` } });

describe("JWT verification against the Auth JWKS URL", () => {
  it("accepts a token signed with a published key and fetches the key set once", async () => {
    const claims = await verify(request(await token(signingKey, kid, { email: "a@b.test" })));
    expect(claims.email).toBe("a@b.test");
    await verify(request(await token(signingKey, kid)));
    expect(auth.requests.filter((r) => r.path === "/auth/v1/.well-known/jwks.json")).toHaveLength(1);
  });

  it("rejects a token whose key the project does not publish", async () => {
    const rogue = (await generateKeyPair("ES256")).privateKey;
    await expect(verify(request(await token(rogue, "rogue-key")))).rejects.toMatchObject({ status: 401, code: "auth.invalid_token" });
  });

  it("rejects a token made for another audience", async () => {
    const error = await verify(request(await token(signingKey, kid, { aud: "some-other-api" }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe("auth.invalid_token");
  });

  it("remembers a verified token for a minute but never past its expiry, and verifies any other bytes", async () => {
    let clock = Date.now();
    const timed = createJwtVerifier({ jwksUrl: `${auth.url}/auth/v1/.well-known/jwks.json`, now: () => clock });
    const good = await new SignJWT({ sub: crypto.randomUUID(), role: "authenticated", aud: "authenticated" })
      .setProtectedHeader({ alg: "ES256", kid, typ: "JWT" })
      .setIssuedAt(Math.floor(clock / 1000))
      .setExpirationTime(Math.floor(clock / 1000) + 30)
      .sign(signingKey);
    const first = await timed(request(good));
    expect(await timed(request(good))).toEqual(first);
    const [head, body] = good.split(".");
    await expect(timed(request(`${head}.${body}.${"A".repeat(86)}`))).rejects.toMatchObject({ code: "auth.invalid_token" });
    clock += 31_000;
    await expect(timed(request(good))).rejects.toMatchObject({ status: 401, code: "auth.token_expired" });
  });

  it("stops accepting a key once it is withdrawn from the key set and the cache refreshes", async () => {
    auth.publish([]);
    const fresh = createJwtVerifier({ jwksUrl: `${auth.url}/auth/v1/.well-known/jwks.json` });
    await expect(fresh(request(await token(signingKey, kid)))).rejects.toMatchObject({ code: "auth.invalid_token" });
  });
});
