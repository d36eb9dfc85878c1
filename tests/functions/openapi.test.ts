// The functions' OpenAPI document is generated from the handlers' schemas; these tests keep the
// committed copy current and make sure no deployed function is missing from it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../../functions/openapi.ts";
import { readProjectConfig, repoRoot } from "../../scripts/lib/settings.ts";

const document = buildOpenApiDocument() as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }>> };

describe("functions/openapi.json", () => {
  it("is current (npm run openapi)", () => {
    const committed = JSON.parse(readFileSync(join(repoRoot, "functions/openapi.json"), "utf8")) as unknown;
    expect(committed).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it("documents every function config.toml deploys", () => {
    const documented = new Set(Object.keys(document.paths).map((path) => path.split("/")[1]));
    const missing = readProjectConfig().functions.map((f) => f.name).filter((name) => !documented.has(name));
    expect(missing).toEqual([]);
  });

  it("takes request bodies from the handlers' schemas (seed 004's change-password fields)", () => {
    const schema = document.paths["/change-password"]!.post!.requestBody!.content["application/json"]!.schema;
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual(["new_password", "new_password2", "old_password"]);
  });
});
