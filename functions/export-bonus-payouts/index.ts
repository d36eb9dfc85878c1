import { connect } from "../_shared/db.ts";
import { jwtVerifierFromEnv, requireEnv } from "../_shared/env.ts";
import { createExportBonusPayoutsHandler } from "./handler.ts";

const get = (name: string) => Deno.env.get(name);

Deno.serve(createExportBonusPayoutsHandler({
  verifyCaller: jwtVerifierFromEnv(get),
  sql: connect(requireEnv(get, "SUPABASE_DB_URL")),
}));
