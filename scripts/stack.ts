// The Docker-free local Supabase stack: `npm start` (foreground) and
// `npm run stack -- start|stop|status|reset|token <user>` (background). See README "Local stack".
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SignJWT } from "jose";
import { applyPlatform, Cluster, ensureOsPackages, loadSeed, pushMigrations, sql } from "./lib/cluster.ts";
import { FunctionsServer } from "./lib/functions-server.ts";
import { httpJobs, startHttpJobs } from "./lib/http-jobs.ts";
import { alive } from "./lib/process.ts";
import { loadOrCreateKeys, publicJwks, signAccessToken, type SessionClaims, type StackKeys } from "./lib/keys.ts";
import { apiUrl, dbUrl, localSecretDefaults, readFunctionsDotEnv, readProjectConfig, readStackSettings, withLocalSecrets } from "./lib/settings.ts";
import { issueToken } from "./lib/tokens.ts";
import { startAuthFake } from "../tests/fakes/auth.ts";
import { outsideServices } from "../tests/fakes/registry.ts";
import type { Fake } from "../tests/fakes/server.ts";

interface StackState {
  supervisorPid: number;
  childPids: number[];
  dbUrl: string;
  apiUrl: string;
  /** Base URLs of the fakes standing in for outside services and for Auth, by service name. */
  fakes: Record<string, string>;
}

const config = readProjectConfig();
const settings = readStackSettings(config);
const stateFile = join(settings.stackDir, "state.json");
const logFile = join(settings.stackDir, "stack.log");
const keysFile = join(settings.stackDir, "keys.json");
const log = (line: string) => console.log(line);
/** The project-local cluster; null when SUPABASE_DB_URL points every command at another database. */
const cluster = settings.externalDbUrl === null ? new Cluster(settings) : null;

function readState(): StackState | null {
  if (!existsSync(stateFile)) return null;
  const state = JSON.parse(readFileSync(stateFile, "utf8")) as StackState;
  return alive(state.supervisorPid) ? state : null;
}

/** A crashed supervisor may leave function processes behind; they must not block the next start. */
function clearStaleState(): void {
  if (!existsSync(stateFile)) return;
  const state = JSON.parse(readFileSync(stateFile, "utf8")) as StackState;
  if (alive(state.supervisorPid)) return;
  for (const pid of state.childPids) if (alive(pid)) process.kill(pid, "SIGKILL");
  rmSync(stateFile, { force: true });
}

async function healthy(state: StackState): Promise<boolean> {
  try {
    const res = await fetch(`${state.apiUrl}/health`, { signal: AbortSignal.timeout(3000) });
    return res.ok && (cluster === null || cluster.isReady());
  } catch {
    return false;
  }
}

/** Cluster up, platform + migrations + seed applied; only a new cluster gets the platform and seed. */
function prepareDatabase(): void {
  if (cluster === null) {
    log(`using the existing database at SUPABASE_DB_URL; applying pending migrations`);
    log(pushMigrations(settings).trim());
    return;
  }
  ensureOsPackages(log);
  const fresh = !cluster.exists();
  if (fresh) {
    log("creating the PostgreSQL 15 cluster");
    cluster.init();
  }
  if (!cluster.isRunning()) cluster.start();
  if (fresh) applyPlatform(settings);
  const pushed = pushMigrations(settings).trim();
  if (pushed !== "") log(pushed);
  if (fresh) loadSeed(settings);
}

function rebuildDatabase(): void {
  if (cluster === null) {
    throw new Error("reset refuses to touch SUPABASE_DB_URL; use `supabase db reset` against that project");
  }
  cluster.destroy();
  prepareDatabase();
}

function platformEnv(keys: StackKeys): Record<string, string> {
  return {
    SUPABASE_URL: apiUrl(settings),
    SUPABASE_DB_URL: dbUrl(settings),
    SUPABASE_JWKS: JSON.stringify(publicJwks(keys)),
    SUPABASE_ANON_KEY: keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: keys.publishableKey }),
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: keys.secretKey }),
    LEGACY_JWT_SECRET: keys.jwtSecret,
  };
}

/** The env()-configured secrets (hook secrets) as the functions must see them: real ones, else local defaults. */
function localSecretsFor(dotEnv: Record<string, string>): Record<string, string> {
  const env = withLocalSecrets({ ...process.env, ...dotEnv });
  return Object.fromEntries(Object.keys(localSecretDefaults).map((name) => [name, env[name]!]));
}

/** Each outside service is the real one when its credentials are configured, otherwise its fake. */
async function outsideServiceEnv(
  configured: Record<string, string | undefined>,
  fakes: { name: string; fake: Fake }[],
): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const service of outsideServices) {
    if (service.credentials.every((name) => configured[name])) {
      Object.assign(env, service.real(configured));
      log(`${service.name}: real service (${service.credentials.join(", ")} configured)`);
    } else {
      const { fake, env: fakeEnv } = await service.fake({ functionsUrl: `${apiUrl(settings)}/functions/v1` });
      fakes.push({ name: service.name, fake });
      Object.assign(env, fakeEnv);
      log(`${service.name}: fake at ${fake.url} (set ${service.credentials.join(" and ")} in functions/.env for the real one)`);
    }
  }
  return env;
}

function demoUsers(): string[] {
  try {
    const hasProfiles = sql(settings, "select to_regclass('public.profiles') is not null") === "t";
    const rows = sql(settings, `
      select concat_ws('  ', coalesce(u.email, '-'), ${hasProfiles ? "coalesce('@' || p.username, '-')" : "'-'"}, coalesce('+' || u.phone, '-'))
        from auth.users u ${hasProfiles ? "left join public.profiles p on p.id = u.id" : ""}
       order by u.email nulls last`);
    return rows === "" ? [] : rows.split("\n");
  } catch {
    return [];
  }
}

function printConnection(keys: StackKeys): void {
  const api = apiUrl(settings);
  console.log([
    `DB_URL=${dbUrl(settings)}`,
    `API_URL=${api}`,
    `FUNCTIONS_URL=${api}/functions/v1`,
    `JWKS_URL=${api}/auth/v1/.well-known/jwks.json`,
    `JWKS=${JSON.stringify(publicJwks(keys))}`,
    `ANON_KEY=${keys.anonKey}`,
    `SERVICE_ROLE_KEY=${keys.serviceRoleKey}`,
    `PUBLISHABLE_KEY=${keys.publishableKey}`,
    `SECRET_KEY=${keys.secretKey}`,
    `JWT_SECRET=${keys.jwtSecret}`,
  ].join("\n"));
  const users = demoUsers();
  if (users.length > 0) {
    console.log(`\nDemo users (password: password123), email  @username  phone:\n  ${users.join("\n  ")}`);
  }
  console.log(`\nAccess token for one: npm run stack -- token <email or username>`);
}

/** Foreground supervisor: everything up, then hold until Ctrl-C / SIGTERM and take it all down. */
async function runForeground(): Promise<void> {
  const existing = readState();
  if (existing !== null) {
    log(`the stack is already running (pid ${existing.supervisorPid})`);
    printConnection(await loadOrCreateKeys(keysFile));
    return;
  }
  clearStaleState();
  mkdirSync(settings.stackDir, { recursive: true });
  const started = Date.now();
  prepareDatabase();
  const keys = await loadOrCreateKeys(keysFile);
  const dotEnv = readFunctionsDotEnv();
  const fakes: { name: string; fake: Fake }[] = [];
  const providers = await outsideServiceEnv({ ...process.env, ...dotEnv }, fakes);
  // GoTrue cannot run without Docker; its fake serves /auth/v1 unless SUPABASE_URL names a real Auth.
  let authUrl: string | undefined;
  if (settings.externalApiUrl === null) {
    const auth = await startAuthFake({ dbUrl: dbUrl(settings), keys, settings: config.auth, apiUrl: apiUrl(settings), hookOrigin: apiUrl(settings) });
    fakes.push({ name: "Auth", fake: auth });
    authUrl = auth.url;
    log(`Auth: fake at ${auth.url}, served at ${apiUrl(settings)}/auth/v1 (tests/fakes/auth.ts)`);
  }
  let state: StackState | null = null;
  const writeState = (next: StackState) => {
    state = next;
    writeFileSync(stateFile, JSON.stringify(next, null, 2));
  };
  const server = new FunctionsServer({
    port: settings.apiPort,
    functions: config.functions,
    keys,
    env: { ...localSecretsFor(dotEnv), ...dotEnv, ...providers, ...platformEnv(keys) },
    log,
    authUrl,
    onProcessesChanged: () => {
      if (state !== null) writeState({ ...state, childPids: server.pids() });
    },
  });
  let stopping = false;
  let stopHttpJobs = () => {};
  const takeDown = async () => {
    stopping = true;
    stopHttpJobs();
    await server.stop();
    await Promise.all(fakes.map(({ fake }) => fake.stop()));
    cluster?.stop();
    rmSync(stateFile, { force: true });
  };
  const shutdown = async (signal: string) => {
    if (stopping) return;
    log(`\n${signal}: stopping the stack`);
    await takeDown();
    log("stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  try {
    await server.start();
  } catch (error) {
    // A half-started stack must not linger: it would hold the ports the next start needs.
    await takeDown();
    throw error;
  }
  stopHttpJobs = startHttpJobs(apiUrl(settings), keys.serviceRoleKey, httpJobs, log);
  writeState({
    supervisorPid: process.pid,
    childPids: server.pids(),
    dbUrl: dbUrl(settings),
    apiUrl: apiUrl(settings),
    fakes: Object.fromEntries(fakes.map(({ name, fake }) => [name, fake.url])),
  });
  log(`Tangent local stack is up (${((Date.now() - started) / 1000).toFixed(1)} s). Ctrl-C stops it.`);
  printConnection(keys);
}

async function startBackground(): Promise<void> {
  const existing = readState();
  if (existing !== null && (await healthy(existing))) {
    console.log(`DB_URL=${existing.dbUrl}\nAPI_URL=${existing.apiUrl}`);
    return;
  }
  clearStaleState();
  mkdirSync(settings.stackDir, { recursive: true });
  const out = openSync(logFile, "a");
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "run"], {
    detached: true,
    stdio: ["ignore", out, out],
    env: process.env,
  });
  closeSync(out);
  child.unref();
  const deadline = Date.now() + 15 * 60_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const state = readState();
    if (state !== null && (await healthy(state))) {
      console.log(`DB_URL=${state.dbUrl}\nAPI_URL=${state.apiUrl}`);
      return;
    }
    if (!alive(child.pid!)) break;
  }
  const tail = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-40).join("\n") : "";
  throw new Error(`the stack did not become healthy; end of ${logFile}:\n${tail}`);
}

async function stopBackground(): Promise<void> {
  const state = readState();
  if (state !== null) {
    process.kill(state.supervisorPid, "SIGTERM");
    const deadline = Date.now() + 60_000;
    while (alive(state.supervisorPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  }
  clearStaleState();
  cluster?.stop();
  console.log("stack stopped");
}

async function status(): Promise<number> {
  const state = readState();
  if (state === null || !(await healthy(state))) {
    console.log("stack is not running (npm run stack -- start)");
    return 1;
  }
  printConnection(await loadOrCreateKeys(keysFile));
  return 0;
}

async function token(identifier: string | undefined): Promise<void> {
  if (!identifier) throw new Error("usage: npm run stack -- token <email, username, phone or user id>");
  let sign: (claims: SessionClaims) => Promise<string>;
  let url: string;
  if (settings.externalApiUrl !== null) {
    // Another Supabase signs with its own keys; only its legacy HS256 secret lets us sign as it does.
    const secret = process.env.SUPABASE_JWT_SECRET;
    if (!secret) throw new Error("with SUPABASE_URL set, provide SUPABASE_JWT_SECRET, or sign in through supabase.auth");
    sign = (claims) => new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(secret));
    url = dbUrl(settings);
  } else {
    const keys = await loadOrCreateKeys(keysFile);
    sign = (claims) => signAccessToken(keys, claims);
    url = dbUrl(settings, "supabase_admin");
  }
  const issued = await issueToken(url, sign, config, apiUrl(settings), identifier);
  console.log(issued.accessToken);
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case "run":
      await runForeground();
      return -1;
    case "start":
      await startBackground();
      return 0;
    case "stop":
      await stopBackground();
      return 0;
    case "status":
      return status();
    case "reset":
      rebuildDatabase();
      console.log(`database rebuilt\nDB_URL=${dbUrl(settings)}`);
      return 0;
    case "token":
      await token(args[0]);
      return 0;
    default:
      console.error("usage: npm run stack -- start|stop|status|reset|token <user>   (npm start runs it in the foreground)");
      return 2;
  }
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
