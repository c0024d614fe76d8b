import { describe, expect, it } from "vitest";
import { diffGraphs } from "./graph-diff.ts";
import type { Graph } from "./use-draft.ts";

const published: Graph = {
  version: 1,
  steps: [
    { id: "hook", type: "trigger.webhook", config: { path: "orders", methods: ["POST"] }, position: { x: 0, y: 0 } },
    { id: "log", type: "log.message", config: { message: "got it" }, position: { x: 260, y: 0 } },
    { id: "old", type: "log.message", config: {}, position: { x: 520, y: 0 } },
  ],
  edges: [
    { from: "hook", output: "out", to: "log" },
    { from: "log", output: "out", to: "old" },
  ],
};

describe("the draft against the published version", () => {
  it("finds nothing when only the order of keys differs", () => {
    const draft: Graph = {
      ...published,
      steps: published.steps.map((step) => ({
        position: step.position,
        config: { ...step.config },
        type: step.type,
        id: step.id,
      })),
    };
    expect(diffGraphs(published, draft).any).toBe(false);
  });

  it("lists steps added, removed, changed field by field, moved, and connections drawn or removed", () => {
    const draft: Graph = {
      version: 1,
      steps: [
        {
          id: "hook",
          type: "trigger.webhook",
          config: { path: "orders-v2", methods: ["POST"] },
          position: { x: 0, y: 0 },
        },
        { id: "log", type: "log.message", name: "Say so", config: { message: "got it" }, position: { x: 300, y: 40 } },
        { id: "new", type: "data.transform", config: { expression: "$" }, position: { x: 520, y: 0 } },
      ],
      edges: [
        { from: "hook", output: "out", to: "log" },
        { from: "log", output: "out", to: "new" },
      ],
    };
    const diff = diffGraphs(published, draft);
    expect(diff.any).toBe(true);
    expect(diff.added.map((step) => step.id)).toEqual(["new"]);
    expect(diff.removed.map((step) => step.id)).toEqual(["old"]);
    expect(diff.changed.map((change) => [change.step.id, change.fields])).toEqual([
      ["hook", [{ path: "config.path", before: "orders", after: "orders-v2" }]],
      ["log", [{ path: "name", before: undefined, after: "Say so" }]],
    ]);
    expect(diff.moved).toEqual([]);
    expect(diff.edgesAdded).toEqual([{ from: "log", output: "out", to: "new" }]);
    expect(diff.edgesRemoved).toEqual([{ from: "log", output: "out", to: "old" }]);
  });

  it("counts a step dragged elsewhere as moved, not changed", () => {
    const draft: Graph = {
      ...published,
      steps: published.steps.map((step) => (step.id === "old" ? { ...step, position: { x: 600, y: 90 } } : step)),
    };
    const diff = diffGraphs(published, draft);
    expect(diff.moved.map((step) => step.id)).toEqual(["old"]);
    expect(diff.changed).toEqual([]);
    expect(diff.any).toBe(true);
  });
});
