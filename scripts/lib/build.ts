// Builds the web app, the web and worker processes' bundles and the CLI's bundle, each when any of its sources
// is newer than its last build.
import { existsSync, readdirSync, statSync, utimesSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Plugin } from "esbuild";
import { ROOT, run, step } from "./run.ts";

const SOURCES = ["apps/web/src", "apps/web/next.config.mjs", "apps/web/package.json", "packages", "package-lock.json"];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    // Build output (the CLI's dist/) is not a source: it must not make the other builds look stale.
    if (entry === "node_modules" || entry === "dist" || entry.startsWith(".")) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** Every output exists and no source (a path under the repository) changed after the oldest of them. */
function upToDate(outputs: string[], sources: string[]): boolean {
  const paths = outputs.map((output) => join(ROOT, output));
  if (!paths.every(existsSync)) return false;
  const oldest = Math.min(...paths.map((path) => statSync(path).mtimeMs));
  return sources.every((source) => newestMtime(join(ROOT, source)) <= oldest);
}

export function ensureWebBuild(): void {
  if (upToDate(["apps/web/.next/BUILD_ID"], SOURCES)) return;
  step("Building the web app (next build)…");
  run("npx", ["next", "build"], { cwd: join(ROOT, "apps/web"), env: { NEXT_TELEMETRY_DISABLED: "1" } });
}

/** The `tributary` bin is packages/cli/dist/tributary.js, bundled by esbuild (a second or so). */
export function ensureCliBuild(): void {
  const sources = ["packages/cli/src", "packages/cli/scripts", "packages/cli/package.json"];
  if (upToDate(["packages/cli/dist/tributary.js"], sources)) return;
  step("Building the command line (packages/cli)…");
  const cli = join(ROOT, "packages/cli");
  const before = statSync(cli);
  run(process.execPath, ["scripts/build.ts"], { cwd: cli });
  // Making dist/ changes packages/cli itself, which the other builds would take for a changed source.
  utimesSync(cli, before.atime, before.mtime);
}

/** The processes `npm start`, the Dockerfile and the tests run: our TypeScript bundled, npm packages left as they are. */
export const PROCESS_BUNDLES = {
  web: { entry: "apps/web/server.ts", bundle: "apps/web/dist/server.js" },
  worker: { entry: "apps/worker/src/main.ts", bundle: "apps/worker/dist/main.js" },
} as const;

/**
 * Bundles the web and worker processes with esbuild (a second or so). Running JavaScript rather than TypeScript
 * spares each process Node's type stripper (≈ 25 MB resident) and the per-module stripping at start.
 */
export async function ensureProcessBundles(): Promise<void> {
  const sources = ["apps/web/server.ts", "apps/web/src", "apps/worker/src", "packages", "package-lock.json"];
  const bundles = Object.values(PROCESS_BUNDLES).map(({ bundle }) => bundle);
  if (upToDate(bundles, sources)) return;
  step("Bundling the web and worker processes (esbuild)…");
  // Loaded here, not at the top: `npm start` and `npm run build` import this file before they install npm
  // packages, on a fresh clone too.
  const { build } = await import("esbuild");
  for (const { entry, bundle } of Object.values(PROCESS_BUNDLES)) {
    await build({
      absWorkingDir: ROOT,
      entryPoints: [entry],
      outfile: bundle,
      bundle: true,
      platform: "node",
      target: "node24",
      format: "esm",
      sourcemap: "linked",
      plugins: [npmPackagesAsInstalled(join(ROOT, bundle))],
      // Some npm packages are CommonJS and require Node's modules; an ES module bundle needs a real require.
      banner: {
        js: 'import { createRequire as bundleRequire } from "node:module";\nconst require = bundleRequire(import.meta.url);',
      },
      logLevel: "warning",
    });
  }
}

/**
 * Leaves an npm package out of the bundle when the bundle, where it lies, loads the very copy the importing
 * module would (the hoisted one); a package only installed beside one workspace package is bundled in.
 */
function npmPackagesAsInstalled(bundle: string): Plugin {
  const installedFrom = (dir: string, name: string): string | undefined => {
    for (let at = dir; ; at = dirname(at)) {
      if (existsSync(join(at, "node_modules", name, "package.json"))) return join(at, "node_modules", name);
      if (dirname(at) === at) return undefined;
    }
  };
  return {
    name: "npm-packages-as-installed",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, ({ path, resolveDir }) => {
        if (path.startsWith("@tributary/") || path.startsWith("node:")) return undefined;
        const name = path
          .split("/")
          .slice(0, path.startsWith("@") ? 2 : 1)
          .join("/");
        const copy = installedFrom(resolveDir, name);
        return copy && copy === installedFrom(dirname(bundle), name) ? { path, external: true } : undefined;
      });
    },
  };
}
