// Builds the web app, and the CLI's bundle, when any of their sources is newer than the last build.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT, run, step } from "./run.ts";

const SOURCES = ["apps/web/src", "apps/web/next.config.ts", "apps/web/package.json", "packages", "package-lock.json"];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === "node_modules" || entry.startsWith(".")) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

export function ensureWebBuild(): void {
  const buildId = join(ROOT, "apps/web/.next/BUILD_ID");
  if (existsSync(buildId)) {
    const built = statSync(buildId).mtimeMs;
    if (SOURCES.every((source) => newestMtime(join(ROOT, source)) <= built)) return;
  }
  step("Building the web app (next build)…");
  run("npx", ["next", "build"], { cwd: join(ROOT, "apps/web"), env: { NEXT_TELEMETRY_DISABLED: "1" } });
}

/** The `tributary` bin is packages/cli/dist/tributary.js, bundled by esbuild (a second or so). */
export function ensureCliBuild(): void {
  const bundle = join(ROOT, "packages/cli/dist/tributary.js");
  const sources = ["packages/cli/src", "packages/cli/scripts", "packages/cli/package.json"];
  if (existsSync(bundle) && sources.every((source) => newestMtime(join(ROOT, source)) <= statSync(bundle).mtimeMs)) {
    return;
  }
  step("Building the command line (packages/cli)…");
  run(process.execPath, ["scripts/build.ts"], { cwd: join(ROOT, "packages/cli") });
}
