import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("@tributary/sandbox", () => {
  it("never loads isolated-vm into the process that imports it: only sandbox processes do", () => {
    const index = new URL("./index.ts", import.meta.url).href;
    const script = `
      import { createRequire } from "node:module";
      const { compileCodeStep, createSandbox } = await import(${JSON.stringify(index)});
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({ api: typeof compileCodeStep + typeof createSandbox, isolatedVm: loaded.some((p) => p.includes("isolated-vm")) }));
    `;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(JSON.parse(output)).toEqual({ api: "functionfunction", isolatedVm: false });
  });
});
