// The stack commands themselves, on a second stack beside the one under test (own folder and ports,
// as a second checkout would run): idempotent start, recovery from a crash, reset, token, stop.
import { execFile } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alive } from "../../scripts/lib/process.ts";
import { Cluster } from "../../scripts/lib/cluster.ts";
import { freePort } from "../../scripts/lib/net.ts";
import { repoRoot } from "../../scripts/lib/settings.ts";

const run = promisify(execFile);
const stackDir = join(repoRoot, `.stack-lifecycle-${process.pid}`);
let env: NodeJS.ProcessEnv;
let apiUrl: string;

function stack(...args: string[]) {
  return run(process.execPath, ["--import", "tsx", join(repoRoot, "scripts/stack.ts"), ...args], { env, cwd: repoRoot });
}

const state = () => JSON.parse(readFileSync(join(stackDir, "state.json"), "utf8")) as { supervisorPid: number; childPids: number[] };


beforeAll(async () => {
  const [dbPort, apiPort] = [await freePort(), await freePort()];
  env = { ...process.env, TANGENT_STACK_DIR: stackDir, TANGENT_DB_PORT: String(dbPort), TANGENT_API_PORT: String(apiPort) };
  apiUrl = `http://127.0.0.1:${apiPort}`;
}, 10_000);

afterAll(async () => {
  await stack("stop").catch(() => undefined);
  new Cluster({ stackDir, dbPort: Number(env.TANGENT_DB_PORT), apiPort: Number(env.TANGENT_API_PORT), externalDbUrl: null, externalApiUrl: null }).destroy();
  rmSync(stackDir, { recursive: true, force: true });
}, 60_000);

describe("npm run stack --", () => {
  it("start brings up a second, independent stack and prints its URLs", async () => {
    const { stdout } = await stack("start");
    expect(stdout).toContain(`API_URL=${apiUrl}`);
    expect(stdout).toMatch(new RegExp(`^DB_URL=postgresql://postgres:postgres@127\\.0\\.0\\.1:${env.TANGENT_DB_PORT}/postgres`, "m"));
    expect((await fetch(`${apiUrl}/health`)).status).toBe(200);
  }, 120_000);

  it("start on a running stack changes nothing", async () => {
    const before = state().supervisorPid;
    const { stdout } = await stack("start");
    expect(stdout).toContain(`API_URL=${apiUrl}`);
    expect(state().supervisorPid).toBe(before);
  }, 60_000);

  it("token prints an access token for a seeded user, and refuses an unknown one", async () => {
    const { stdout } = await stack("token", "alice");
    const res = await fetch(`${apiUrl}/functions/v1/me`, { headers: { authorization: `Bearer ${stdout.trim()}` } });
    expect(await res.json()).toMatchObject({ username: "alice" });
    await expect(stack("token", "nobody-at-all")).rejects.toMatchObject({ code: 1 });
  }, 60_000);

  it("a crashed supervisor leaves nothing that blocks the next start", async () => {
    const crashed = state();
    process.kill(crashed.supervisorPid, "SIGKILL");
    const { stdout: status } = await stack("status").catch((e: { stdout: string }) => e);
    expect(status).toContain("not running");
    await stack("start");
    expect(state().supervisorPid).not.toBe(crashed.supervisorPid);
    for (const pid of crashed.childPids) expect(alive(pid)).toBe(false);
    expect((await fetch(`${apiUrl}/health`)).status).toBe(200);
  }, 120_000);

  it("reset rebuilds the database from scratch: platform, migrations and seed", async () => {
    const { accessToken } = { accessToken: (await stack("token", "bob")).stdout.trim() };
    await fetch(`${apiUrl}/functions/v1/me`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ full_name: "Changed Before Reset" }),
    });
    await stack("reset");
    const fresh = (await stack("token", "bob")).stdout.trim();
    const res = await fetch(`${apiUrl}/functions/v1/me`, { headers: { authorization: `Bearer ${fresh}` } });
    expect(await res.json()).toMatchObject({ username: "bob", full_name: "Bob Petrov" });
  }, 120_000);

  it("with SUPABASE_DB_URL, a stack serves another database and never touches a local cluster", async () => {
    const externalDir = `${stackDir}-external`;
    const externalApi = await freePort();
    const externalEnv = {
      ...env,
      TANGENT_STACK_DIR: externalDir,
      TANGENT_DB_PORT: String(await freePort()),
      TANGENT_API_PORT: String(externalApi),
      SUPABASE_DB_URL: `postgresql://postgres:postgres@127.0.0.1:${env.TANGENT_DB_PORT}/postgres?sslmode=disable`,
    };
    const external = (...args: string[]) =>
      run(process.execPath, ["--import", "tsx", join(repoRoot, "scripts/stack.ts"), ...args], { env: externalEnv, cwd: repoRoot });
    try {
      const { stdout } = await external("start");
      expect(stdout).toContain(`DB_URL=${externalEnv.SUPABASE_DB_URL}`);
      const token = (await external("token", "alice")).stdout.trim();
      const res = await fetch(`http://127.0.0.1:${externalApi}/functions/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(await res.json()).toMatchObject({ username: "alice" });
      await expect(external("reset")).rejects.toMatchObject({ stderr: expect.stringContaining("refuses to touch SUPABASE_DB_URL") });
      expect(existsSync(join(externalDir, "db"))).toBe(false);
    } finally {
      await external("stop").catch(() => undefined);
      rmSync(externalDir, { recursive: true, force: true });
    }
  }, 120_000);

  it("stop takes everything down and removes the state file", async () => {
    const { supervisorPid, childPids } = state();
    await stack("stop");
    expect(alive(supervisorPid)).toBe(false);
    for (const pid of childPids) expect(alive(pid)).toBe(false);
    expect(existsSync(join(stackDir, "state.json"))).toBe(false);
    await expect(fetch(`${apiUrl}/health`)).rejects.toThrow();
  }, 60_000);
});
