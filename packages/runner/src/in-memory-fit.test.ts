import { stepCatalog } from "@tributary/connectors";
import { type FlowGraph, prepareFlow } from "@tributary/engine";
import { describe, expect, it } from "vitest";
import { inMemoryFit } from "./in-memory-fit.ts";

/** A chain of steps after a webhook trigger, each one's "out" into the next. */
function chain(...types: string[]): FlowGraph {
  const steps = [
    { id: "start", type: "trigger.webhook", config: {} },
    ...types.map((type, i) => ({ id: `s${i}`, type, config: {} })),
  ];
  return {
    version: 1,
    steps,
    edges: steps.slice(1).map((step, i) => ({ from: steps[i]?.id ?? "", output: "out", to: step.id })),
  };
}

const fitOf = (graph: FlowGraph) => inMemoryFit(prepareFlow({ graph, catalog: stepCatalog }));

describe("which runs of a flow may run in memory", () => {
  it("runs pure steps anywhere", () => {
    expect(fitOf(chain("data.transform", "flow.branch", "http.respond"))).toEqual({
      quick: true,
      whole: true,
      effectLast: true,
    });
  });

  it("leaves code steps to workers, and waits to the usual path", () => {
    expect(fitOf(chain("data.transform", "code.typescript"))).toEqual({ quick: false, whole: true, effectLast: true });
    expect(fitOf(chain("flow.delay", "data.transform"))).toEqual({ quick: false, whole: false, effectLast: true });
    expect(fitOf(chain("flow.loop")).whole).toBe(false);
  });

  it("takes one effect only as the last step, and only for the consumer", () => {
    expect(fitOf(chain("data.transform", "http.request"))).toEqual({ quick: false, whole: false, effectLast: true });
    expect(fitOf(chain("http.request", "data.transform")).effectLast).toBe(false);
    expect(fitOf(chain("http.request", "http.request")).effectLast).toBe(false);
  });

  it("runs nothing in memory that goes round in a cycle", () => {
    const graph = chain("data.transform", "data.transform");
    graph.edges.push({ from: "s1", output: "out", to: "s0" });
    expect(fitOf(graph)).toEqual({ quick: false, whole: false, effectLast: false });
  });
});
