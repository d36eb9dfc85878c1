// Where the local stack lives and which ports it uses. Everything a second checkout or CI may need to
// change comes from environment variables, with supabase/config.toml as the default.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "smol-toml";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface FunctionConfig {
  name: string;
  verifyJwt: boolean;
  entrypoint: string;
  importMap: string;
}

export interface AuthHookConfig {
  enabled: boolean;
  uri: string;
}

export interface ProjectConfig {
  dbPort: number;
  apiPort: number;
  jwtExpiry: number;
  sessionTimeboxSeconds: number | null;
  functions: FunctionConfig[];
  customAccessTokenHook: AuthHookConfig | null;
}

type Table = Record<string, unknown>;

function table(value: unknown): Table {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Table) : {};
}

/** "24h0m0s" / "90m" / "30s" (Go durations, as config.toml uses) to seconds. */
export function durationSeconds(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) {
    throw new Error(`config.toml: "${text}" is not a duration like 24h0m0s`);
  }
  const unit = { h: 3600, m: 60, s: 1 } as const;
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2] as keyof typeof unit], 0);
}

export function readProjectConfig(path = join(repoRoot, "supabase/config.toml")): ProjectConfig {
  const doc = parse(readFileSync(path, "utf8")) as Table;
  const supabaseDir = dirname(path);
  const functions = Object.entries(table(doc.functions)).flatMap(([name, raw]) => {
    const fn = table(raw);
    if (fn.enabled === false) return [];
    return [{
      name,
      verifyJwt: fn.verify_jwt !== false,
      entrypoint: resolve(supabaseDir, String(fn.entrypoint ?? `functions/${name}/index.ts`)),
      importMap: resolve(supabaseDir, String(fn.import_map ?? `functions/${name}/deno.json`)),
    }];
  });
  const auth = table(doc.auth);
  const hook = table(table(auth.hook).custom_access_token);
  const timebox = table(auth.sessions).timebox;
  return {
    dbPort: Number(table(doc.db).port ?? 54322),
    apiPort: Number(table(doc.api).port ?? 54321),
    jwtExpiry: Number(auth.jwt_expiry ?? 3600),
    sessionTimeboxSeconds: typeof timebox === "string" ? durationSeconds(timebox) : null,
    functions,
    customAccessTokenHook: hook.enabled === true ? { enabled: true, uri: String(hook.uri) } : null,
  };
}

export interface StackSettings {
  /** Folder holding the cluster, keys, logs and pid files of this checkout's stack. */
  stackDir: string;
  dbPort: number;
  apiPort: number;
  /** Set when SUPABASE_DB_URL points every command at an existing Supabase database instead. */
  externalDbUrl: string | null;
  /** Set with SUPABASE_URL: functions and tokens are that project's, not the local gateway's. */
  externalApiUrl: string | null;
}

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name}=${raw} is not a TCP port`);
  }
  return value;
}

export function readStackSettings(config = readProjectConfig()): StackSettings {
  return {
    stackDir: resolve(repoRoot, process.env.TANGENT_STACK_DIR ?? ".stack"),
    dbPort: port("TANGENT_DB_PORT", config.dbPort),
    apiPort: port("TANGENT_API_PORT", config.apiPort),
    externalDbUrl: process.env.SUPABASE_DB_URL || null,
    externalApiUrl: process.env.SUPABASE_URL || null,
  };
}

export function dbUrl(settings: StackSettings, role: "postgres" | "supabase_admin" = "postgres"): string {
  if (settings.externalDbUrl !== null) return settings.externalDbUrl;
  // The local cluster speaks no TLS; saying so keeps the CLI from printing a TLS warning into its output.
  return `postgresql://${role}:postgres@127.0.0.1:${settings.dbPort}/postgres?sslmode=disable`;
}

export function apiUrl(settings: StackSettings): string {
  return settings.externalApiUrl ?? `http://127.0.0.1:${settings.apiPort}`;
}

/** Real provider credentials for local runs go in functions/.env (git-ignored), as `supabase secrets`. */
export function readFunctionsDotEnv(): Record<string, string> {
  const file = join(repoRoot, "functions/.env");
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, "utf8").split("\n")
      .map((line) => /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line))
      .flatMap((m) => (m ? [[m[1]!, m[2]!.replace(/^"(.*)"$/, "$1")]] : [])),
  );
}
