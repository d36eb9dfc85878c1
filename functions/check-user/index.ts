import { connect } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { createCheckUserHandler } from "./handler.ts";

const get = (name: string) => Deno.env.get(name);

Deno.serve(createCheckUserHandler({ sql: connect(requireEnv(get, "SUPABASE_DB_URL")) }));
