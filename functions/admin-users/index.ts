import { authApiFromEnv } from "../_shared/auth-api.ts";
import { connect } from "../_shared/db.ts";
import { jwtVerifierFromEnv, requireEnv } from "../_shared/env.ts";
import { createAdminUsersHandler } from "./handler.ts";

const get = (name: string) => Deno.env.get(name);

Deno.serve(createAdminUsersHandler({
  verifyCaller: jwtVerifierFromEnv(get),
  sql: connect(requireEnv(get, "SUPABASE_DB_URL")),
  auth: authApiFromEnv(get),
}));
