import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PROCESS_NODE_FLAGS } from "./node-flags.ts";

describe("process flags", () => {
  it("are the same in package.json's start scripts (docker-compose starts the processes through them)", () => {
    const { scripts } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      scripts: Record<string, string>;
    };
    for (const name of ["start:web", "start:worker"]) {
      expect(scripts[name]).toContain(`scripts/node24.sh ${PROCESS_NODE_FLAGS.join(" ")} `);
    }
  });
});
