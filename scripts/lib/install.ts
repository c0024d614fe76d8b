// Installs dependencies when package-lock.json changed since the last install, and generates the Prisma
// client when the schema changed. Uses only Node built-ins: it runs before anything is installed.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, run, step } from "./run.ts";

function fingerprint(...files: string[]): string {
  const hash = createHash("sha256");
  for (const file of files) hash.update(readFileSync(join(ROOT, file)));
  return hash.digest("hex");
}

function upToDate(stampFile: string, value: string): boolean {
  return existsSync(stampFile) && readFileSync(stampFile, "utf8") === value;
}

export function ensureDependencies(): void {
  const stamp = join(ROOT, "node_modules/.tributary-installed");
  const lock = fingerprint("package-lock.json") + process.version;
  if (!upToDate(stamp, lock)) {
    step("Installing dependencies…");
    // Not `npm ci`: npm 11 rejects lockfiles that lack other platforms' optional packages (biome, esbuild).
    // Three tries: the registry now and then resets a connection mid-download, and an install resumes.
    run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { attempts: 3 });
    writeFileSync(stamp, lock);
  }
}

export function ensurePrismaClient({ databaseUrl }: { databaseUrl: string }): void {
  const stamp = join(ROOT, "packages/db/src/generated/.schema-hash");
  const schema = fingerprint("prisma/schema.prisma");
  if (upToDate(stamp, schema)) return;
  step("Generating the Prisma client…");
  // The CLI needs DATABASE_URL even to generate, or it tries to download an engine (see NOTES in README).
  run("npx", ["prisma", "generate"], { env: { DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: "1" } });
  writeFileSync(stamp, schema);
}
