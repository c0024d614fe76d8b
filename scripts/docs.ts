// `npm run docs`: regenerates the documents that are rendered from code.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderConnectorsDoc } from "@tributary/connectors/docs";
import { renderPermissionsDoc } from "@tributary/core/permissions";
import { ROOT, step } from "./lib/run.ts";

for (const [name, render] of [
  ["docs/permissions.md", renderPermissionsDoc],
  ["docs/connectors.md", renderConnectorsDoc],
] as const) {
  const file = join(ROOT, name);
  writeFileSync(file, render());
  step(`Wrote ${file}`);
}
