// `npm run openapi`: writes functions/openapi.json from the handlers' own request schemas.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildOpenApiDocument } from "../functions/openapi.ts";
import { repoRoot } from "./lib/settings.ts";

const file = join(repoRoot, "functions/openapi.json");
writeFileSync(file, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${file}`);
