import { validateFlow } from "@tributary/engine";
import { describe, expect, it } from "vitest";
import { palette, STEP_DEFINITIONS, stepCatalog } from "./catalog.ts";

const drawn = new Map(palette().map((entry) => [entry.type, entry.outputs]));

describe("the palette's outputs", () => {
  it("draws a branch with true and false, and a loop with item and done", () => {
    // A branch's condition has no default: its outputs do not depend on it, and an edge from "true" needs that handle.
    expect(drawn.get("flow.branch")).toEqual(["true", "false"]);
    expect(drawn.get("flow.loop")).toEqual(["item", "done"]);
  });

  it("draws every action whose example leaves on outputs of its own with those outputs, not a bare out", () => {
    for (const definition of STEP_DEFINITIONS.values()) {
      if (definition.kind !== "action") continue;
      const example = definition.config.safeParse(definition.example.config);
      if (!example.success) continue;
      const outputs = definition.outputs(example.data as never);
      if (outputs.join() !== "out") expect(drawn.get(definition.type), definition.type).not.toEqual(["out"]);
    }
  });

  it("validates a switch whose cases are not set yet, saying so, rather than failing", () => {
    const step = (id: string, type: string, config: Record<string, unknown> = {}) => ({ id, type, config });
    const graph = {
      version: 1 as const,
      steps: [
        step("start", "trigger.manual"),
        step("route", "flow.switch"),
        step("note", "util.log", { message: "x" }),
      ],
      edges: [
        { from: "start", to: "route", output: "out" },
        { from: "route", to: "note", output: "default" },
      ],
    };
    const problems = validateFlow({ graph, catalog: stepCatalog });
    expect(problems.map((p) => p.stepId)).toEqual(["route"]);
    expect(problems[0]?.message).toMatch(/Cases/);
    // Half-made cases: the named ones are outputs already.
    const half = { cases: [{ name: "eu" }, { condition: "x" }] };
    expect(stepCatalog.get("flow.switch")?.outputs(half)).toEqual(["eu", "default"]);
  });
});
