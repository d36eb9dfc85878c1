// Vitest global setup: make sure the database has the test helpers (npm test loads them already;
// a developer's own stack may not have them yet).
import { join } from "node:path";
import { run } from "../../scripts/lib/shell.ts";
import { repoRoot } from "../../scripts/lib/settings.ts";
import { urls } from "./stack.ts";

export default function setup(): void {
  const present = run("psql", ["-X", "-At", "-d", urls.superuser, "-c", "select to_regnamespace('tests') is not null"], {
    allowFailure: true,
  });
  if (present.status !== 0) {
    throw new Error(`cannot reach the stack's database at ${urls.superuser}: start it first (npm run stack -- start)`);
  }
  if (present.stdout.trim() !== "t") {
    run("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", urls.superuser, "-f", join(repoRoot, "tests/db/helpers.sql")]);
  }
}
