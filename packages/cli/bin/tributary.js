#!/usr/bin/env node
// Runs the CLI's TypeScript source as it is, which needs Node 22.18 or later (type stripping). Inside the
// repository an older Node hands over to Node 24 the way the project's own scripts do (scripts/node24.sh).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const [major, minor] = process.versions.node.split(".").map(Number);
const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));

if (major > 22 || (major === 22 && minor >= 18)) {
  await import(main);
} else {
  const node24 = fileURLToPath(new URL("../../../scripts/node24.sh", import.meta.url));
  if (!existsSync(node24)) {
    console.error(`tributary needs Node 22.18 or later; this is Node ${process.versions.node}.`);
    process.exit(2);
  }
  const result = spawnSync("sh", [node24, main, ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(result.status ?? 1);
}
