import { describe, expect, it } from "vitest";
import { CODE_STEP_GLOBALS, typeCheckCodeStep } from "./type-check-code-step.ts";

describe("typeCheckCodeStep", () => {
  it("finds a type error, 1-based, with the span to underline", async () => {
    expect(
      await typeCheckCodeStep({ source: 'export default () => {\n  const x: number = "abc";\n  return x;\n};\n' }),
    ).toEqual([
      { line: 2, column: 9, endLine: 2, endColumn: 10, message: "Type 'string' is not assignable to type 'number'." },
    ]);
  });

  it("checks two sources at once, each against its own text", async () => {
    const [bad, good] = await Promise.all([
      typeCheckCodeStep({ source: "export default () => { const n: number = 'one'; return n; };\n" }),
      typeCheckCodeStep({ source: "export default () => { const n: number = 1; return n; };\n" }),
    ]);
    expect(bad).toHaveLength(1);
    expect(good).toEqual([]);
  });

  it("answers a source it has seen from its cache, and keeps checking new ones with the same service", async () => {
    const source = "export default (message: Message) => message.body;\n";
    const first = await typeCheckCodeStep({ source });
    expect(first).toEqual([]);
    expect(await typeCheckCodeStep({ source })).toBe(first);
    expect(await typeCheckCodeStep({ source: "export default (message: Message) => message.nope;\n" })).toEqual([
      expect.objectContaining({ line: 1, message: expect.stringContaining("Property 'nope' does not exist") }),
    ]);
  });

  it("gives the step only ES2023, console and its own types: no DOM, no Node", async () => {
    const problems = await typeCheckCodeStep({
      source: "export default () => { document.title; return Buffer.from('x'); };\n",
    });
    expect(problems.map((problem) => problem.message)).toEqual([
      expect.stringContaining("Cannot find name 'document'"),
      expect.stringContaining("Cannot find name 'Buffer': code steps have no Node APIs"),
    ]);
    expect(CODE_STEP_GLOBALS).toContain("declare const console");
  });
});
