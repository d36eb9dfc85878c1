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
  /** Standard Webhooks secrets ("v1,whsec_<base64>", several joined by "|"); HTTP hooks only, env() resolved. */
  secrets?: string;
}

/** The [auth] settings of config.toml that Supabase Auth (GoTrue) acts on, with the CLI's defaults. */
export interface AuthSettings {
  jwtExpiry: number;
  enableSignup: boolean;
  refreshTokenRotation: boolean;
  refreshTokenReuseInterval: number;
  sessionTimeboxSeconds: number | null;
  sessionInactivityTimeoutSeconds: number | null;
  passwordMinLength: number;
  /** GOTRUE_PASSWORD_REQUIRED_CHARACTERS split into sets: the password needs one character of each. */
  passwordRequiredCharacters: string[];
  email: {
    enabled: boolean;
    confirmations: boolean;
    /** An email change needs confirming from the current address too. */
    doubleConfirmChanges: boolean;
    securePasswordChange: boolean;
    maxFrequencySeconds: number;
    otpLength: number;
    otpExpiry: number;
  };
  sms: {
    enabled: boolean;
    confirmations: boolean;
    maxFrequencySeconds: number;
    otpLength: number;
    otpExpiry: number;
    /** Phone number (digits, no "+") to its fixed code; no SMS is sent for these. */
    testOtp: Record<string, string>;
  };
  hooks: {
    customAccessToken: AuthHookConfig | null;
    beforeUserCreated: AuthHookConfig | null;
    passwordVerificationAttempt: AuthHookConfig | null;
    sendSms: AuthHookConfig | null;
  };
}

export interface ProjectConfig {
  dbPort: number;
  apiPort: number;
  functions: FunctionConfig[];
  auth: AuthSettings;
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

/** The CLI's password_requirements values as GoTrue receives them (character sets joined by ":"). */
const requiredCharacters: Record<string, string[]> = {
  "": [],
  letters_digits: ["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"],
  lower_upper_letters_digits: ["abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"],
  lower_upper_letters_digits_symbols: [
    "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", "!@#$%^&*()_+-=[]{};'\\:\"|<>?,./`~",
  ],
};

/** A config.toml string that is exactly `env(NAME)` reads NAME, as the CLI does; unset stays literal. */
function resolveEnv(value: string, env: NodeJS.ProcessEnv): string {
  const name = /^env\((\w+)\)$/.exec(value)?.[1];
  return name === undefined ? value : env[name] || value;
}

function hookConfig(raw: unknown, env: NodeJS.ProcessEnv): AuthHookConfig | null {
  const hook = table(raw);
  if (hook.enabled !== true) return null;
  const secrets = typeof hook.secrets === "string" ? { secrets: resolveEnv(hook.secrets, env) } : {};
  return { enabled: true, uri: String(hook.uri), ...secrets };
}

function seconds(value: unknown, fallback: number): number {
  if (typeof value === "number") return value;
  return typeof value === "string" ? durationSeconds(value) : fallback;
}

function readAuthSettings(auth: Table, env: NodeJS.ProcessEnv): AuthSettings {
  const email = table(auth.email);
  const sms = table(auth.sms);
  const sessions = table(auth.sessions);
  const hooks = table(auth.hook);
  const requirements = String(auth.password_requirements ?? "");
  const charSets = requiredCharacters[requirements];
  if (charSets === undefined) throw new Error(`config.toml: unknown auth.password_requirements "${requirements}"`);
  return {
    jwtExpiry: Number(auth.jwt_expiry ?? 3600),
    enableSignup: auth.enable_signup !== false,
    refreshTokenRotation: auth.enable_refresh_token_rotation !== false,
    refreshTokenReuseInterval: Number(auth.refresh_token_reuse_interval ?? 10),
    sessionTimeboxSeconds: sessions.timebox === undefined ? null : seconds(sessions.timebox, 0) || null,
    sessionInactivityTimeoutSeconds: sessions.inactivity_timeout === undefined ? null : seconds(sessions.inactivity_timeout, 0) || null,
    passwordMinLength: Number(auth.minimum_password_length ?? 6),
    passwordRequiredCharacters: charSets,
    email: {
      enabled: email.enabled !== false,
      confirmations: email.enable_confirmations === true,
      doubleConfirmChanges: email.double_confirm_changes !== false,
      securePasswordChange: email.secure_password_change === true,
      maxFrequencySeconds: seconds(email.max_frequency, 1),
      otpLength: Number(email.otp_length ?? 6),
      otpExpiry: Number(email.otp_expiry ?? 3600),
    },
    sms: {
      enabled: sms.enabled === true,
      confirmations: sms.enable_confirmations === true,
      maxFrequencySeconds: seconds(sms.max_frequency, 5),
      otpLength: Number(sms.otp_length ?? 6),
      otpExpiry: Number(sms.otp_expiry ?? 60),
      testOtp: Object.fromEntries(Object.entries(table(sms.test_otp)).map(([phone, code]) => [phone, String(code)])),
    },
    hooks: {
      customAccessToken: hookConfig(hooks.custom_access_token, env),
      beforeUserCreated: hookConfig(hooks.before_user_created, env),
      passwordVerificationAttempt: hookConfig(hooks.password_verification_attempt, env),
      sendSms: hookConfig(hooks.send_sms, env),
    },
  };
}

/**
 * supabase/config.toml as the stack uses it. `env` resolves env() references (hook secrets): by default
 * the environment plus functions/.env, with the local-only defaults, exactly what the functions get.
 */
export function readProjectConfig(
  path = join(repoRoot, "supabase/config.toml"),
  env: NodeJS.ProcessEnv = withLocalSecrets({ ...process.env, ...readFunctionsDotEnv() }),
): ProjectConfig {
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
  const auth = readAuthSettings(table(doc.auth), env);
  return {
    dbPort: Number(table(doc.db).port ?? 54322),
    apiPort: Number(table(doc.api).port ?? 54321),
    functions,
    auth,
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

/**
 * Secrets config.toml reads through env() that have a local-only default, like the CLI's well-known
 * local keys. The CLI refuses config.toml when one is unset, so every CLI call and the functions get
 * these unless the environment sets real ones. Never use them for a hosted project.
 */
export const localSecretDefaults: Record<string, string> = {
  SEND_SMS_HOOK_SECRET: "v1,whsec_dGFuZ2VudC1sb2NhbC1vbmx5LXNlbmQtc21zLWhvb2s=",
};

/** `base` with the local-only defaults filled in where it sets nothing. */
export function withLocalSecrets(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = { ...base };
  for (const [name, value] of Object.entries(localSecretDefaults)) if (!env[name]) env[name] = value;
  return env;
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
