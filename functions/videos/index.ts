import { connect } from "../_shared/db.ts";
import { jwtVerifierFromEnv, requireEnv } from "../_shared/env.ts";
import { synthesiaClientFromEnv } from "../_shared/synthesia.ts";
import { createVideosHandler } from "./handler.ts";

const get = (name: string) => Deno.env.get(name);

Deno.serve(createVideosHandler({
  verifyCaller: jwtVerifierFromEnv(get),
  sql: connect(requireEnv(get, "SUPABASE_DB_URL")),
  // Without a key the function still serves reads and answers renders with a clear 503.
  synthesia: get("SYNTHESIA_API_KEY") ? synthesiaClientFromEnv(get) : null,
  serviceRoleKey: requireEnv(get, "SUPABASE_SERVICE_ROLE_KEY"),
}));
