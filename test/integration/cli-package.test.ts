// The CLI as users get it: `npm pack` builds the bundle (prepack), the tarball installs with `npm install -g`
// into an empty prefix without the registry (commander is bundled, nothing is left to fetch), and the installed
// `tributary` runs on its own, outside this repository.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const CLI_PACKAGE = resolve(import.meta.dirname, "../../packages/cli");
const scratch = mkdtempSync(join(tmpdir(), "tributary-cli-package-"));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** npm with the registry out of reach, so a dependency the tarball failed to bundle fails the install. */
function npm(args: string[], cwd: string): string {
  return execFileSync("npm", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, npm_config_registry: "http://127.0.0.1:9/", npm_config_offline: "true" },
  });
}

describe("the tributary package", () => {
  it("packs, installs globally from the tarball and prints its help", () => {
    const [packed] = JSON.parse(npm(["pack", "--json", "--pack-destination", scratch], CLI_PACKAGE)) as {
      filename: string;
      files: { path: string }[];
    }[];
    expect(packed?.files.map((file) => file.path).sort()).toEqual(["dist/tributary.js", "package.json"]);

    const prefix = join(scratch, "prefix");
    npm(["install", "--global", "--prefix", prefix, join(scratch, packed?.filename ?? "")], scratch);
    const help = execFileSync(join(prefix, "bin/tributary"), ["--help"], {
      cwd: scratch,
      encoding: "utf8",
      env: { PATH: `${process.execPath.replace(/\/node$/, "")}:/usr/bin:/bin`, HOME: scratch },
    });
    expect(help).toContain("Usage: tributary");
    expect(help).toContain("runs");
  }, 120_000);
});
