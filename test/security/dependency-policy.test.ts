// Every installed copy of a library in the dependency policy (minimum-versions.ts) is at or above its minimum:
// the copies are found in package-lock.json and their versions read from node_modules, as installed.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MINIMUM_VERSIONS } from "./minimum-versions.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

type LockFile = { packages: Record<string, { version?: string; dev?: boolean }> };
const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as LockFile;

/** Where a package is installed (root, workspace or nested copies), with the version on disk. */
function installedCopies(name: string): { path: string; version: string }[] {
  return Object.entries(lock.packages)
    .filter(
      ([path, entry]) => (path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`)) && !entry.dev,
    )
    .map(([path]) => join(ROOT, path, "package.json"))
    .filter((file) => existsSync(file))
    .map((file) => ({
      path: file.slice(ROOT.length).replace(/\/package\.json$/, ""),
      version: (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version,
    }));
}

/** Negative, zero or positive as `a` is below, equal to or above `b`; a pre-release is below its release. */
function compareVersions(a: string, b: string): number {
  const parse = (version: string) => {
    const [core = "", pre] = version.split("+")[0]?.split("-", 2) ?? [];
    return { parts: core.split(".").map(Number), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    const difference = (x.parts[i] ?? 0) - (y.parts[i] ?? 0);
    if (difference) return difference;
  }
  if (x.pre && !y.pre) return -1;
  if (!x.pre && y.pre) return 1;
  return 0;
}

describe("dependency policy", () => {
  it("compares versions as semver does for releases and pre-releases", () => {
    expect(compareVersions("16.0.10", "16.0.9")).toBeGreaterThan(0);
    expect(compareVersions("4.24.5", "4.24.12")).toBeLessThan(0);
    expect(compareVersions("8.17.1", "8.17.1")).toBe(0);
    expect(compareVersions("16.0.10-canary.3", "16.0.10")).toBeLessThan(0);
  });

  it("lists each library once", () => {
    const names = MINIMUM_VERSIONS.map((row) => row.name);
    expect(names).toEqual([...new Set(names)]);
  });

  it.each(MINIMUM_VERSIONS)("$name is installed at $minimum or above", ({ name, minimum, why }) => {
    const copies = installedCopies(name);
    expect(
      copies.length,
      `${name} is in the dependency policy (test/security/minimum-versions.ts) but not installed: run npm install, or remove its row if it is no longer used.`,
    ).toBeGreaterThan(0);
    const below = copies.filter((copy) => compareVersions(copy.version, minimum) < 0);
    expect(
      below.map((copy) => `${copy.path} is ${name}@${copy.version}`),
      `${name} must be ${minimum} or later (${why}). Upgrade it (npm install ${name}@latest in the workspace that depends on it, or an "overrides" entry for a transitive copy), then run npm test again.`,
    ).toEqual([]);
  });
});
