// Running commands from the stack scripts: one place that knows how to drop root privileges for
// PostgreSQL and how to report a failed command with its output.
import { spawnSync, type SpawnSyncOptions } from "node:child_process";

export const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  constructor(readonly command: string, readonly result: RunResult) {
    super(`command failed (exit ${result.status}): ${command}\n${result.stderr || result.stdout}`.trimEnd());
  }
}

export interface RunOptions extends Pick<SpawnSyncOptions, "cwd" | "env" | "input" | "timeout"> {
  /** PostgreSQL refuses to run as root: as root, run the command as the `postgres` OS user. */
  asPostgresUser?: boolean;
  /** Return the result instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
}

export function run(command: string, args: string[], options: RunOptions = {}): RunResult {
  const [cmd, argv] = options.asPostgresUser && isRoot
    ? ["runuser", ["-u", "postgres", "--", command, ...args]]
    : [command, args];
  const child = spawnSync(cmd, argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    input: options.input,
    timeout: options.timeout,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.error) throw child.error;
  const result = { status: child.status ?? 1, stdout: child.stdout ?? "", stderr: child.stderr ?? "" };
  if (result.status !== 0 && !options.allowFailure) {
    throw new CommandError([command, ...args].join(" "), result);
  }
  return result;
}

export function commandExists(command: string): boolean {
  return run("sh", ["-c", `command -v ${command}`], { allowFailure: true }).status === 0;
}
