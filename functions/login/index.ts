import { authApiFromEnv } from "../_shared/auth-api.ts";
import { connect } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { createLoginHandler } from "./handler.ts";

const get = (name: string) => Deno.env.get(name);

Deno.serve(createLoginHandler({
  sql: connect(requireEnv(get, "SUPABASE_DB_URL")),
  auth: authApiFromEnv(get),
}));
