// `npm test`: every check the project has, in one command: typecheck, lint, then unit, integration (real
// Postgres and Redis) and browser e2e tests (Debian's Chromium). Ends with a line "N passed, N failed".
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { prepare } from "./lib/prepare.ts";
import { ROOT, step } from "./lib/run.ts";

type Check = { name: string; passed: boolean };

function check(name: string, command: string, args: string[]): Check {
  step(name);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: "inherit", env: process.env });
  return { name, passed: result.status === 0 };
}

try {
  await prepare();
} catch (error) {
  console.error(`\n\x1b[31m✖\x1b[0m ${(error as Error).message}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(chromium)) {
  console.error(
    `\x1b[31m✖\x1b[0m No Chromium at ${chromium}: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH.`,
  );
}

const checks: Check[] = [
  check("Typecheck", "npm", ["run", "--silent", "typecheck"]),
  check("Lint and format (biome)", "npx", ["biome", "check", "."]),
];

mkdirSync(join(ROOT, "test-results"), { recursive: true });
const report = join(ROOT, "test-results/vitest.json");
const vitest = check("Tests: unit, integration, e2e", "npx", [
  "vitest",
  "run",
  ...process.argv.slice(2),
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${report}`,
]);

let passed = checks.filter((c) => c.passed).length;
let failed = checks.length - passed;
if (existsSync(report)) {
  const results = JSON.parse(readFileSync(report, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    testResults: { status: string; assertionResults: unknown[] }[];
  };
  // A file that fails before its tests run (a syntax or setup error) counts as one failure.
  const brokenFiles = results.testResults.filter(
    (file) => file.status === "failed" && file.assertionResults.length === 0,
  );
  passed += results.numPassedTests;
  failed += results.numFailedTests + brokenFiles.length;
}
if (!vitest.passed && failed === 0) failed = 1;
for (const c of checks) if (!c.passed) console.log(`\x1b[31m✖\x1b[0m ${c.name} failed`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
