// `npm run docs`: regenerates the documents that are rendered from code.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderPermissionsDoc } from "@tributary/core/permissions";
import { ROOT, step } from "./lib/run.ts";

const file = join(ROOT, "docs/permissions.md");
writeFileSync(file, renderPermissionsDoc());
step(`Wrote ${file}`);
