// The project-local PostgreSQL 15 cluster of the Docker-free stack, and the three steps that turn a
// fresh cluster into "a Supabase database": the platform contract (as superuser), the migrations (by
// the real Supabase CLI, as the non-superuser `postgres`), and the seed.
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { dbUrl, repoRoot, withLocalSecrets, type StackSettings } from "./settings.ts";
import { commandExists, isRoot, run } from "./shell.ts";

const pgBin = process.env.TANGENT_PG_BIN ?? "/usr/lib/postgresql/15/bin";
const pgShare = process.env.TANGENT_PG_SHARE ?? "/usr/share/postgresql/15";

/** What the stack needs from the OS, each with the Debian package that provides it. */
const requirements: { what: string; present: () => boolean; pkg: string }[] = [
  { what: "PostgreSQL 15 server", present: () => existsSync(join(pgBin, "postgres")), pkg: "postgresql-15" },
  { what: "psql", present: () => commandExists("psql"), pkg: "postgresql-client-15" },
  { what: "pg_cron", present: () => existsSync(join(pgShare, "extension/pg_cron.control")), pkg: "postgresql-15-cron" },
  { what: "pgTAP", present: () => existsSync(join(pgShare, "extension/pgtap.control")), pkg: "postgresql-15-pgtap" },
  { what: "plpgsql_check", present: () => existsSync(join(pgShare, "extension/plpgsql_check.control")), pkg: "postgresql-15-plpgsql-check" },
  { what: "pg_prove", present: () => commandExists("pg_prove"), pkg: "libtap-parser-sourcehandler-pgtap-perl" },
];

export function ensureOsPackages(log: (line: string) => void): void {
  const missing = requirements.filter((r) => !r.present());
  if (missing.length === 0) return;
  const pkgs = missing.map((r) => r.pkg);
  const command = `apt-get install -y --no-install-recommends ${pkgs.join(" ")}`;
  if (!isRoot || !commandExists("apt-get")) {
    throw new Error(
      `missing: ${missing.map((r) => r.what).join(", ")}.\nInstall them (Debian 12) with:\n  sudo apt-get update && sudo ${command}`,
    );
  }
  log(`installing ${pkgs.join(" ")} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  run("apt-get", ["update", "-qq"], { env });
  run("sh", ["-c", command], { env });
  const still = requirements.filter((r) => !r.present());
  if (still.length > 0) throw new Error(`apt-get ran but still missing: ${still.map((r) => r.what).join(", ")}`);
}

/** Can the `postgres` OS user reach this folder? (As root, the repository may sit under /root.) */
function postgresUserCanReach(dir: string): boolean {
  if (!isRoot) return true;
  return run("runuser", ["-u", "postgres", "--", "test", "-x", dir], { allowFailure: true }).status === 0;
}

/**
 * Where the cluster lives: `<stack dir>/db`, unless the `postgres` OS user cannot reach the checkout
 * (as root, the repository may sit under /root); then a per-checkout folder under /var/tmp.
 */
function clusterHome(stackDir: string): string {
  mkdirSync(stackDir, { recursive: true });
  if (postgresUserCanReach(stackDir)) return stackDir;
  const id = createHash("sha256").update(stackDir).digest("hex").slice(0, 12);
  return `/var/tmp/tangent-stack-${id}`;
}

export class Cluster {
  readonly home: string;
  readonly dataDir: string;
  readonly logFile: string;

  constructor(private readonly settings: StackSettings) {
    this.home = clusterHome(settings.stackDir);
    this.dataDir = join(this.home, "db");
    this.logFile = join(this.home, "postgres.log");
  }

  private pg(tool: string, args: string[], allowFailure = false) {
    return run(join(pgBin, tool), args, { asPostgresUser: true, allowFailure, cwd: "/" });
  }

  exists(): boolean {
    return existsSync(join(this.dataDir, "PG_VERSION"));
  }

  isRunning(): boolean {
    return this.exists() && this.pg("pg_ctl", ["-D", this.dataDir, "status"], true).status === 0;
  }

  isReady(): boolean {
    return run(join(pgBin, "pg_isready"), ["-q", "-h", "127.0.0.1", "-p", String(this.settings.dbPort)], {
      allowFailure: true,
    }).status === 0;
  }

  /** initdb a new cluster whose superuser is `supabase_admin`, as on Supabase. */
  init(): void {
    const target = this.dataDir;
    mkdirSync(target, { recursive: true });
    if (isRoot) run("chown", ["postgres:postgres", target]);
    run("chmod", ["700", target]);
    this.pg("initdb", ["-D", target, "-U", "supabase_admin", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
    const conf = [
      "",
      "# Tangent local stack (scripts/lib/cluster.ts)",
      `port = ${this.settings.dbPort}`,
      "listen_addresses = '127.0.0.1'",
      "unix_socket_directories = ''",
      "shared_preload_libraries = 'pg_cron'",
      "cron.database_name = 'postgres'",
      "max_connections = 200",
      "fsync = off",
      "synchronous_commit = off",
      "full_page_writes = off",
      "log_min_messages = warning",
      "",
    ].join("\n");
    writeFileSync(join(target, "postgresql.conf"), readFileSync(join(target, "postgresql.conf"), "utf8") + conf);
  }

  start(): void {
    if (!existsSync(this.logFile)) writeFileSync(this.logFile, "");
    if (isRoot) run("chown", ["postgres:postgres", this.logFile]);
    // A crash can leave postmaster.pid behind; pg_ctl and postgres detect a dead pid themselves.
    this.pg("pg_ctl", ["-D", this.dataDir, "-l", this.logFile, "-w", "-t", "60", "-o", `-p ${this.settings.dbPort}`, "start"]);
  }

  stop(): void {
    if (this.isRunning()) this.pg("pg_ctl", ["-D", this.dataDir, "-m", "fast", "-w", "-t", "60", "stop"]);
  }

  destroy(): void {
    this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
    rmSync(this.logFile, { force: true });
    if (this.home !== this.settings.stackDir) rmSync(this.home, { recursive: true, force: true });
  }

}

function psql(url: string, args: string[], input?: string) {
  return run("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, ...args], { input });
}

/** The platform's SQL-only extension stand-ins must sit in the server's extension folder. */
function installStandInExtensions(): void {
  const root = join(repoRoot, "sql/platform/extensions");
  if (!existsSync(root)) return;
  for (const ext of readdirSync(root)) {
    for (const file of readdirSync(join(root, ext))) {
      const dest = join(pgShare, "extension", file);
      const src = join(root, ext, file);
      if (existsSync(dest) && readFileSync(dest, "utf8") === readFileSync(src, "utf8")) continue;
      try {
        accessSync(join(pgShare, "extension"), constants.W_OK);
      } catch {
        throw new Error(`cannot write ${dest}: run once as root, or copy ${src} there yourself`);
      }
      copyFileSync(src, dest);
    }
  }
}

export function applyPlatform(settings: StackSettings): void {
  installStandInExtensions();
  const dir = join(repoRoot, "sql/platform");
  const files = readdirSync(dir).filter((f) => f.endsWith(".sql")).sort();
  for (const file of files) psql(dbUrl(settings, "supabase_admin"), ["-f", join(dir, file)]);
}

/** Apply supabase/migrations exactly as against a hosted project: the CLI, as role `postgres`. */
export function pushMigrations(settings: StackSettings): string {
  const result = run(join(repoRoot, "node_modules/.bin/supabase"), ["db", "push", `--remote=${dbUrl(settings)}`, "--yes", "--skip-vault"], {
    cwd: repoRoot,
    env: { ...withLocalSecrets(), SUPABASE_YES: "1", DO_NOT_TRACK: "1" },
  });
  return result.stdout + result.stderr;
}

/** Seeds run as `postgres`, as `supabase db reset` runs them. */
export function loadSeed(settings: StackSettings): void {
  const seed = join(repoRoot, "supabase/seed.sql");
  if (existsSync(seed)) psql(dbUrl(settings), ["-f", seed]);
}

export function sql(settings: StackSettings, text: string, role: "postgres" | "supabase_admin" = "postgres"): string {
  return psql(dbUrl(settings, role), ["-At", "-c", text]).stdout.trim();
}
