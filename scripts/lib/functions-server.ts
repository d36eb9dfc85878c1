// Serves every edge function the way Supabase does, without Docker: each function's own index.ts runs
// unmodified in its own Deno process (DENO_SERVE_ADDRESS puts its Deno.serve on a free loopback port),
// and one gateway on the API port routes /functions/v1/<name> to it, checking the JWT first when the
// function's verify_jwt is on — as Supabase's edge gateway does before any function code runs. The
// same gateway passes /auth/v1/* to the Auth fake (tests/fakes/auth.ts), as Supabase's API gateway
// passes it to Auth.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWTVerifyGetKey } from "jose";
import { repoRoot, type FunctionConfig } from "./settings.ts";
import { publicJwks, type StackKeys } from "./keys.ts";

const denoBin = join(repoRoot, "node_modules/.bin/deno");

interface Worker {
  config: FunctionConfig;
  port: number | null;
  child: ChildProcess | null;
}

export interface FunctionsServerOptions {
  port: number;
  functions: FunctionConfig[];
  keys: StackKeys;
  /** Environment every function sees (SUPABASE_URL, SUPABASE_DB_URL, keys, fake base URLs...). */
  env: Record<string, string>;
  log: (line: string) => void;
  /** Called whenever a function process is (re)started, so the caller can record the new pids. */
  onProcessesChanged?: () => void;
  /** Base URL of the Auth fake that answers /auth/v1/*; without one only the JWKS is served there. */
  authUrl?: string;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

export class FunctionsServer {
  private readonly workers = new Map<string, Worker>();
  /** Tokens that verified, and until when (ms) they count as verified. */
  private readonly verified = new Map<string, number>();
  private readonly jwks: JWTVerifyGetKey;
  private server: Server | null = null;
  private stopping = false;

  constructor(private readonly options: FunctionsServerOptions) {
    this.jwks = createLocalJWKSet(publicJwks(options.keys));
    for (const config of options.functions) this.workers.set(config.name, { config, port: null, child: null });
  }

  async start(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => this.spawnWorker(w)));
    this.server = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.options.port, "127.0.0.1", () => resolve());
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.workers.values()].map((w) => new Promise<void>((resolve) => {
      if (w.child === null || w.child.exitCode !== null) return resolve();
      w.child.once("exit", () => resolve());
      w.child.kill("SIGTERM");
    })));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  pids(): number[] {
    return [...this.workers.values()].flatMap((w) => (w.child?.pid ? [w.child.pid] : []));
  }

  private spawnWorker(worker: Worker): Promise<void> {
    const { config } = worker;
    const child = spawn(denoBin, [
      "run", "--config", config.importMap, "--node-modules-dir=manual", "--no-lock",
      "--allow-net", "--allow-env", "--allow-read", "--allow-sys",
      config.entrypoint,
    ], {
      cwd: repoRoot,
      env: { ...this.options.env, DENO_SERVE_ADDRESS: "tcp:127.0.0.1:0", NO_COLOR: "1", PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    worker.child = child;
    worker.port = null;
    this.options.onProcessesChanged?.();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`function ${config.name} did not start within 60 s`)), 60_000);
      // Deno announces the address of Deno.serve on stderr (older releases: stdout).
      const onLine = (line: string) => {
        const listening = /^Listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(line);
        if (listening && worker.port === null) {
          worker.port = Number(listening[1]);
          clearTimeout(timer);
          resolve();
          return;
        }
        this.options.log(`[${config.name}] ${line}`);
      };
      createInterface({ input: child.stdout! }).on("line", onLine);
      createInterface({ input: child.stderr! }).on("line", onLine);
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        worker.port = null;
        if (this.stopping) return;
        this.options.log(`[${config.name}] exited (${signal ?? code}); restarting`);
        reject(new Error(`function ${config.name} exited during start (${signal ?? code})`));
        setTimeout(() => this.spawnWorker(worker).catch((e: Error) => this.options.log(e.message)), 1000);
      });
    });
  }

  /**
   * Supabase's gateway accepts any JWT signed by the project: user sessions and legacy API keys. A token
   * that verified is remembered until its expiry, for a minute at most (as functions/_shared/auth.ts
   * does): a client sends the same token with every request, and an ES256 check is most of what this
   * gateway spends on one.
   */
  private async jwtIsValid(authorization: string | undefined): Promise<boolean> {
    const token = /^Bearer (\S+)$/i.exec(authorization ?? "")?.[1];
    if (token === undefined) return false;
    const known = this.verified.get(token);
    if (known !== undefined && known > Date.now()) return true;
    try {
      const { payload } = decodeProtectedHeader(token).alg === "HS256"
        ? await jwtVerify(token, new TextEncoder().encode(this.options.keys.jwtSecret), { algorithms: ["HS256"] })
        : await jwtVerify(token, this.jwks, { algorithms: ["ES256", "RS256"] });
      const until = Math.min(Date.now() + 60_000, payload.exp === undefined ? Infinity : payload.exp * 1000);
      this.verified.delete(token);
      if (this.verified.size >= 1000) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, until);
      return true;
    } catch {
      return false;
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/health") {
      const down = [...this.workers.values()].filter((w) => w.port === null).map((w) => w.config.name);
      return json(res, down.length === 0 ? 200 : 503, { status: down.length === 0 ? "ok" : "degraded", down });
    }
    if (url.pathname.startsWith("/auth/v1/") && this.options.authUrl !== undefined) {
      const auth = new URL(this.options.authUrl);
      return this.forward(req, res, auth.hostname, Number(auth.port), "AUTH_ERROR");
    }
    if (url.pathname === "/auth/v1/.well-known/jwks.json") return json(res, 200, publicJwks(this.options.keys));
    const match = /^\/functions\/v1\/([^/]+)(\/.*)?$/.exec(url.pathname);
    const worker = match ? this.workers.get(match[1]!) : undefined;
    if (worker === undefined) return json(res, 404, { code: "NOT_FOUND", message: "Requested function was not found" });
    // Browsers send CORS preflights without credentials; the function answers them itself.
    if (worker.config.verifyJwt && req.method !== "OPTIONS") {
      if (req.headers.authorization === undefined) return json(res, 401, { code: 401, message: "Missing authorization header" });
      if (!(await this.jwtIsValid(req.headers.authorization))) return json(res, 401, { code: 401, message: "Invalid JWT" });
    }
    if (worker.port === null) return json(res, 503, { code: "BOOT_ERROR", message: "Function failed to start (please check logs)" });
    this.forward(req, res, "127.0.0.1", worker.port, "WORKER_ERROR");
  }

  /** Passes the request on unchanged (method, path and query, headers, body) and streams the answer back. */
  private forward(req: IncomingMessage, res: ServerResponse, host: string, port: number, errorCode: string): void {
    const upstream = httpRequest({ host, port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", (error) => {
      if (!res.headersSent) json(res, 502, { code: errorCode, message: error.message });
      else res.destroy(error);
    });
    req.pipe(upstream);
  }
}
