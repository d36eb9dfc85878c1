// `npm run types`: regenerate functions/_shared/database.types.ts from the running stack's database
// (or SUPABASE_DB_URL). `npm test` fails while the committed file differs from a fresh generation.
import { writeFileSync } from "node:fs";
import { dbUrl, readStackSettings } from "./lib/settings.ts";
import { generateTypes, typesFile } from "./lib/types.ts";

writeFileSync(typesFile, generateTypes(dbUrl(readStackSettings())));
console.log(`wrote ${typesFile}`);
