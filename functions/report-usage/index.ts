import { connect } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { createReportUsageHandler } from "./handler.ts";

Deno.serve(createReportUsageHandler({
  sql: connect(requireEnv((name) => Deno.env.get(name), "SUPABASE_DB_URL")),
}));
