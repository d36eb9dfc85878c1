import { connect } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { twilioClientFromEnv } from "../_shared/twilio.ts";
import { createSendSmsHandler, smsCapsFromEnv } from "./handler.ts";

const get = (name: string) => Deno.env.get(name);

Deno.serve(createSendSmsHandler({
  hookSecrets: requireEnv(get, "SEND_SMS_HOOK_SECRET"),
  sql: connect(requireEnv(get, "SUPABASE_DB_URL")),
  twilio: twilioClientFromEnv(get),
  caps: smsCapsFromEnv(get),
}));
