import { describe, expect, it } from "vitest";
import type { FlowGraph } from "./flow-graph.ts";
import { graphOf, testCatalog } from "./test-catalog.ts";
import { validateFlow } from "./validate-flow.ts";

const codes = (graph: FlowGraph) =>
  validateFlow({ graph, catalog: testCatalog }).map((e) => `${e.code}:${e.stepId ?? e.edgeId ?? ""}`);

describe("validateFlow", () => {
  it("accepts a well-formed flow", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["a", "add", { amount: 1 }],
      ],
      [["start", "a"]],
    );
    expect(validateFlow({ graph, catalog: testCatalog })).toEqual([]);
  });

  it("reports an unknown step type and says what to do", () => {
    const errors = validateFlow({
      graph: graphOf(
        [
          ["start", "manual"],
          ["x", "teleport"],
        ],
        [["start", "x"]],
      ),
      catalog: testCatalog,
    });
    expect(errors).toMatchObject([{ code: "unknown_step_type", stepId: "x" }]);
    expect(errors[0]?.message).toMatch(/palette/);
  });

  it("reports missing and invalid config with the field", () => {
    const errors = validateFlow({
      graph: graphOf(
        [
          ["start", "manual"],
          ["a", "add", { amount: "lots" }],
          ["b", "add"],
        ],
        [
          ["start", "a"],
          ["a", "b"],
        ],
      ),
      catalog: testCatalog,
    });
    expect(errors.map((e) => [e.code, e.stepId, e.field])).toEqual([
      ["invalid_config", "a", "amount"],
      ["invalid_config", "b", "amount"],
    ]);
  });

  it("reports a bad expression with its field", () => {
    const errors = validateFlow({
      graph: graphOf(
        [
          ["start", "manual"],
          ["t", "tag", { label: "x", note: "Hello {{ $.name + }}" }],
        ],
        [["start", "t"]],
      ),
      catalog: testCatalog,
    });
    expect(errors).toMatchObject([{ code: "bad_expression", stepId: "t", field: "note" }]);
  });

  it("reports edges to nowhere and from outputs a step does not have", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["a", "add", { amount: 1 }],
      ],
      [
        ["start", "a"],
        ["a", "ghost"],
        ["a", "start", "sideways"],
      ],
    );
    expect(codes(graph)).toEqual(
      expect.arrayContaining(["edge_to_nowhere:a", "unknown_output:a", "trigger_has_input:start"]),
    );
  });

  it("reports a cycle, naming its steps", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["a", "add", { amount: 1 }],
        ["b", "add", { amount: 1 }],
      ],
      [
        ["start", "a"],
        ["a", "b"],
        ["b", "a"],
      ],
    );
    const errors = validateFlow({ graph, catalog: testCatalog }).filter((e) => e.code === "cycle");
    expect(errors.map((e) => e.stepId).sort()).toEqual(["a", "b"]);
    expect(errors[0]?.message).toMatch(/a → b|b → a/);
  });

  it("reports unreachable steps and a flow without a trigger", () => {
    expect(
      codes(
        graphOf(
          [
            ["start", "manual"],
            ["lonely", "add", { amount: 1 }],
          ],
          [],
        ),
      ),
    ).toEqual(["unreachable:lonely"]);
    expect(codes(graphOf([["a", "add", { amount: 1 }]], []))).toContain("no_trigger:");
  });

  it("reports duplicate ids", () => {
    expect(
      codes(
        graphOf(
          [
            ["start", "manual"],
            ["start", "manual"],
          ],
          [],
        ),
      ),
    ).toContain("duplicate_id:start");
  });

  it("refuses edges into a loop's items from outside the loop", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["each", "loop"],
        ["inner", "add", { amount: 1 }],
        ["other", "add", { amount: 1 }],
      ],
      [
        ["start", "each"],
        ["each", "inner", "item"],
        ["start", "other"],
        ["other", "inner"],
      ],
    );
    expect(codes(graph)).toContain("loop_escape:inner");
  });

  it("accepts the implicit error output of actions", () => {
    const graph = graphOf(
      [
        ["start", "manual"],
        ["a", "fail"],
        ["b", "tag", { label: "x" }],
      ],
      [
        ["start", "a"],
        ["a", "b", "error"],
      ],
    );
    expect(validateFlow({ graph, catalog: testCatalog })).toEqual([]);
  });
});
