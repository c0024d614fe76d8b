import { describe, expect, it } from "vitest";
import { compileCodeStep } from "./compile-code-step.ts";

describe("compileCodeStep", () => {
  it("compiles TypeScript to a script and a source map, without checking types", async () => {
    const compiled = await compileCodeStep({
      source: "type In = { body: { n: number } };\nexport default async (m: In): Promise<string> => m.body.n;",
    });
    expect(compiled).toMatchObject({ ok: true, code: expect.stringContaining("use strict") });
    if (compiled.ok) expect(JSON.parse(compiled.sourceMap)).toMatchObject({ version: 3, sources: ["code-step.ts"] });
  });

  it("reports syntax errors at their line and UTF-16 column", async () => {
    const compiled = await compileCodeStep({ source: "export default () => {\n  const é = 'ü'; return é +;\n}" });
    expect(compiled).toEqual({ ok: false, errors: [{ line: 2, column: 28, message: 'Unexpected ";"' }] });
  });

  it("refuses imports, used or not, and literal require() and import()", async () => {
    for (const source of [
      "import { readFileSync } from 'node:fs';\nexport default () => readFileSync('/etc/passwd')",
      "import fs from 'fs';\nexport default () => 1",
      "export { default } from './other'",
      "export default () => require('child_process')",
      "export default async () => import('node:os')",
    ]) {
      const compiled = await compileCodeStep({ source });
      expect(compiled, source).toMatchObject({
        ok: false,
        errors: [{ message: expect.stringMatching(/cannot import modules/) }],
      });
    }
  });

  it("lets type-only imports through: they leave nothing behind", async () => {
    const compiled = await compileCodeStep({ source: "import type { X } from 'x';\nexport default (x: X) => x;" });
    expect(compiled.ok).toBe(true);
  });

  it("asks for a default export, and is not fooled by the word default", async () => {
    const compiled = await compileCodeStep({ source: "export const x = 1;\nswitch (x) { default: }" });
    expect(compiled).toMatchObject({ ok: false, errors: [{ message: expect.stringMatching(/Export a default/) }] });
  });

  it("refuses top-level await and oversized sources with a clear message", async () => {
    expect(await compileCodeStep({ source: "await null;\nexport default () => 1" })).toMatchObject({
      ok: false,
      errors: [{ line: 1, message: expect.stringMatching(/Top-level await/) }],
    });
    expect(await compileCodeStep({ source: `export default () => "${"x".repeat(300 * 1024)}"` })).toMatchObject({
      ok: false,
      errors: [{ message: expect.stringMatching(/limited to 256 KB/) }],
    });
  });

  it("wraps the module in a factory, so evaluating the script runs none of the step's code", async () => {
    const compiled = await compileCodeStep({ source: "throw new Error('top level');\nexport default () => 1" });
    if (!compiled.ok) throw new Error("did not compile");
    expect(compiled.code.startsWith('(function () { "use strict";\n')).toBe(true);
    expect(compiled.code).toMatch(/return __step;\n\}\)\n/);
  });
});
