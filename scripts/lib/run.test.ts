import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { run } from "./run.ts";

// A command that fails the first time it runs in a directory and succeeds after, as a flaky download does.
const FAILS_ONCE = ["-c", "test -f tried || { touch tried; exit 3; }"];

const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), "tributary-run-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("run", () => {
  it("tries a failing command again when given attempts, and succeeds once it does", () => {
    const cwd = scratch();

    expect(() => run("sh", FAILS_ONCE, { cwd, attempts: 2 })).not.toThrow();
    expect(existsSync(join(cwd, "tried"))).toBe(true);
  });

  it("fails with the command and its exit code once its attempts are spent", () => {
    expect(() => run("sh", FAILS_ONCE, { cwd: scratch() })).toThrow(`\`sh ${FAILS_ONCE.join(" ")}\` failed (exit 3).`);
  });
});
