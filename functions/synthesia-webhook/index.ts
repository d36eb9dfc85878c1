import { connect } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { createSynthesiaWebhookHandler } from "./handler.ts";

const get = (name: string) => Deno.env.get(name);

Deno.serve(createSynthesiaWebhookHandler({
  secret: requireEnv(get, "SYNTHESIA_WEBHOOK_SECRET"),
  sql: connect(requireEnv(get, "SUPABASE_DB_URL")),
}));
