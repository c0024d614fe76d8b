import { palette } from "@tributary/connectors";
import { describe, expect, it } from "vitest";
import { addStep } from "./graph-edits.ts";
import type { Graph } from "./use-draft.ts";

const entry = (type: string) => {
  const found = palette().find((candidate) => candidate.type === type);
  if (!found) throw new Error(`no palette entry ${type}`);
  return found;
};
const empty: Graph = { version: 1, steps: [], edges: [] };

describe("a step added from the palette", () => {
  it("starts with its schema's defaults", () => {
    const { graph, id } = addStep(empty, entry("trigger.webhook"), { flowName: "Orders in" });
    expect(graph.steps.find((step) => step.id === id)?.config).toMatchObject({
      methods: ["POST"],
      responseMode: "async",
    });
  });

  it("is a webhook with a path made of the flow's name, unlike the flow's other webhooks' paths", () => {
    const first = addStep(empty, entry("trigger.webhook"), { flowName: "Orders in (EU) — Shopify" });
    const second = addStep(first.graph, entry("trigger.webhook"), { flowName: "Orders in (EU) — Shopify" });
    expect(second.graph.steps.map((step) => step.config.path)).toEqual([
      "orders-in-eu-shopify",
      "orders-in-eu-shopify-2",
    ]);
    // A name with nothing a path can hold still gives a path.
    const unnamed = addStep(empty, entry("trigger.webhook"), { flowName: "☃ ☃" });
    expect(unnamed.graph.steps[0]?.config.path).toBe("hook");
  });

  it("hangs from the selected step's first output: out after a transform, true after an If / else", () => {
    const hook = addStep(empty, entry("trigger.webhook"), { flowName: "Orders" });
    const after = (graph: Graph, id: string) => {
      const step = graph.steps.find((candidate) => candidate.id === id);
      return step && { step, entry: entry(step.type) };
    };
    const shape = addStep(hook.graph, entry("data.transform"), {
      after: after(hook.graph, hook.id),
      flowName: "Orders",
    });
    const branch = addStep(shape.graph, entry("flow.branch"), {
      after: after(shape.graph, shape.id),
      flowName: "Orders",
    });
    const log = addStep(branch.graph, entry("util.log"), { after: after(branch.graph, branch.id), flowName: "Orders" });
    expect(log.graph.edges).toEqual([
      { from: hook.id, to: shape.id, output: "out" },
      { from: shape.id, to: branch.id, output: "out" },
      { from: branch.id, to: log.id, output: "true" },
    ]);
  });
});
