// Fake of the Supabase Auth endpoints our functions call. For now: the JWKS at
// /auth/v1/.well-known/jwks.json, whose key set a test can rotate, as a project does when it rotates
// its signing keys. Auth's admin and token endpoints join here when a function first calls them.
import type { JWK } from "jose";
import { startFake, type Fake } from "./server.ts";

export interface AuthFake extends Fake {
  /** Replace the published public keys. */
  publish(keys: JWK[]): void;
}

export async function startAuthFake(initialKeys: JWK[]): Promise<AuthFake> {
  let keys = initialKeys;
  const fake = await startFake((req) => {
    const path = new URL(req.url).pathname;
    if (req.method === "GET" && path === "/auth/v1/.well-known/jwks.json") {
      return Response.json({ keys }, { headers: { "cache-control": "public, max-age=600" } });
    }
    return Response.json({ code: 404, error_code: "not_found", msg: `fake Auth has no ${req.method} ${path}` }, { status: 404 });
  });
  return { ...fake, publish: (next) => void (keys = next) };
}
