import { describe, expect, it } from "vitest";
import { FlowFormatError, parseFlowGraph } from "./flow-graph.ts";

describe("parseFlowGraph", () => {
  it("loads a version 1 flow and fills defaults", () => {
    const graph = parseFlowGraph({
      version: 1,
      steps: [{ id: "start", type: "manual" }],
      edges: [{ from: "start", to: "x" }],
    });
    expect(graph.steps[0]?.config).toEqual({});
    expect(graph.edges[0]?.output).toBe("out");
  });

  it("refuses a flow without a version, and one from a newer Tributary", () => {
    expect(() => parseFlowGraph({ steps: [], edges: [] })).toThrow(/no "version"/);
    expect(() => parseFlowGraph({ version: 7, steps: [], edges: [] })).toThrow(/newer Tributary/);
    expect(() => parseFlowGraph("nope")).toThrow(FlowFormatError);
  });

  it("upgrades older versions through each step", () => {
    const upgrades = {
      1: (g: Record<string, unknown>) => ({ ...g, nodes: undefined, steps: g.nodes }),
    };
    const graph = parseFlowGraph({ version: 1, nodes: [{ id: "start", type: "manual" }], edges: [] }, upgrades, 2);
    expect(graph.steps.map((s) => s.id)).toEqual(["start"]);
  });

  it("says where a flow is malformed", () => {
    const error = (() => {
      try {
        parseFlowGraph({ version: 1, steps: [{ id: "1bad", type: "manual" }], edges: [] });
      } catch (e) {
        return e as FlowFormatError;
      }
    })();
    expect(error?.message).toMatch(/steps\.0\.id/);
    expect(error?.issues[0]?.path).toBe("steps.0.id");
  });
});
