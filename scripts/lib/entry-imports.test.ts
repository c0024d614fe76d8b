// The npm scripts run on a fresh clone, before any npm package is installed (they install them): what they
// import at load time, through every file of ours they import, must be Node's own modules. A package is
// imported where it is used, after the install (`await import(…)`).
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./run.ts";

const ENTRIES = ["scripts/start.ts", "scripts/build.ts", "scripts/test.ts", "scripts/bench.ts", "scripts/migrate.ts"];

/** Modules imported at load time (`import … from`, not `import type`), through relative imports, from `file`. */
function loadTimeImports(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+"([^"]+)";/gms)].map((m) => m[1] as string);
  return specifiers.flatMap((specifier) =>
    specifier.startsWith(".") ? loadTimeImports(resolve(dirname(file), specifier), seen) : [specifier],
  );
}

describe("npm scripts on a fresh clone", () => {
  it.each(ENTRIES)("%s imports only Node's own modules before it installs packages", (entry) => {
    const outside = loadTimeImports(join(ROOT, entry)).filter((specifier) => !specifier.startsWith("node:"));
    expect(outside).toEqual([]);
  });
});
