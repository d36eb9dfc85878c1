// A stack of a run's own (own folder, own free ports) for `npm test` and `npm run bench`, torn down at
// the end even when the run fails or is interrupted.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { Cluster } from "./cluster.ts";
import { freePort } from "./net.ts";
import { readStackSettings, repoRoot, withLocalSecrets, type StackSettings } from "./settings.ts";

export interface EphemeralStack {
  env: NodeJS.ProcessEnv;
  settings: StackSettings;
  /** Arguments for `node` that run `scripts/stack.ts <command>` against this stack. */
  stackArgs(command: string): string[];
  teardown(): void;
}

export async function ephemeralStack(label: string): Promise<EphemeralStack> {
  const stackDir = join(repoRoot, `.stack-${label}-${process.pid}`);
  process.env.TANGENT_STACK_DIR = stackDir;
  process.env.TANGENT_DB_PORT = String(await freePort());
  process.env.TANGENT_API_PORT = String(await freePort());
  process.env.DO_NOT_TRACK = "1";
  const env = withLocalSecrets();
  const settings = readStackSettings();
  const stackArgs = (command: string) => ["--import", "tsx", join(repoRoot, "scripts/stack.ts"), command];
  let tornDown = false;
  const teardown = () => {
    if (tornDown) return;
    tornDown = true;
    console.log(`\n━━ tearing down the ${label} stack`);
    const stopped: SpawnSyncReturns<string> = spawnSync(process.execPath, stackArgs("stop"), { cwd: repoRoot, env, encoding: "utf8" });
    process.stdout.write(stopped.stdout ?? "");
    if (settings.externalDbUrl === null) new Cluster(settings).destroy();
    rmSync(stackDir, { recursive: true, force: true });
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      teardown();
      process.exit(130);
    });
  }
  return { env, settings, stackArgs, teardown };
}
