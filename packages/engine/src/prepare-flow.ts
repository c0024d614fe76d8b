// A flow version compiled once into the indexes the planner needs on every call: steps by id, edges by
// source output and by target, a topological order, and which steps form each loop's sub-path.
import { ERROR_OUTPUT, LOOP_ITEM_OUTPUT, type StepCatalog, type StepTypeSpec } from "./catalog.ts";
import type { FlowEdge, FlowGraph, FlowStep } from "./flow-graph.ts";

export type PreparedEdge = FlowEdge & { index: number };

export type PreparedStep = {
  step: FlowStep;
  spec: StepTypeSpec | undefined;
  /** Position in the topological order. */
  order: number;
  incoming: PreparedEdge[];
  /** Outgoing edges by output name. */
  outgoing: Map<string, PreparedEdge[]>;
  /** The innermost loop whose sub-path this step is in (null: the flow's top level). */
  loop: string | null;
  /** For a loop step: the steps of its sub-path, in topological order (nested sub-paths included). */
  subPath: string[];
  /** For a loop step: the sub-path's end steps, whose outputs are an item's result. */
  subPathEnds: string[];
};

export type PreparedFlow = {
  graph: FlowGraph;
  steps: Map<string, PreparedStep>;
  /** Step ids in topological order (edges point forward); cycles leave steps out, see `cyclic`. */
  order: string[];
  cyclic: string[];
};

export function prepareFlow({ graph, catalog }: { graph: FlowGraph; catalog: StepCatalog }): PreparedFlow {
  const steps = new Map<string, PreparedStep>();
  for (const step of graph.steps) {
    if (steps.has(step.id)) continue;
    steps.set(step.id, {
      step,
      spec: catalog.get(step.type),
      order: -1,
      incoming: [],
      outgoing: new Map(),
      loop: null,
      subPath: [],
      subPathEnds: [],
    });
  }
  graph.edges.forEach((edge, index) => {
    const from = steps.get(edge.from);
    const to = steps.get(edge.to);
    if (!from || !to) return;
    const prepared = { ...edge, index };
    to.incoming.push(prepared);
    const list = from.outgoing.get(edge.output) ?? [];
    list.push(prepared);
    from.outgoing.set(edge.output, list);
  });

  // Kahn's algorithm, visiting ready steps in the order they were written, so the order is deterministic.
  const indegree = new Map([...steps].map(([id, s]) => [id, s.incoming.length]));
  const queue = graph.steps.filter((s) => indegree.get(s.id) === 0).map((s) => s.id);
  const order: string[] = [];
  while (queue.length) {
    const id = queue.shift() as string;
    const prepared = steps.get(id);
    if (!prepared || prepared.order >= 0) continue;
    prepared.order = order.length;
    order.push(id);
    for (const edges of prepared.outgoing.values()) {
      for (const edge of edges) {
        const left = (indegree.get(edge.to) ?? 0) - 1;
        indegree.set(edge.to, left);
        if (left === 0) queue.push(edge.to);
      }
    }
  }
  const cyclic = [...steps.keys()].filter((id) => (steps.get(id)?.order ?? -1) < 0);

  // Loop sub-paths: everything reachable from a loop's "item" output. Outer loops are assigned first (they
  // come first in topological order), inner loops then claim their own sub-paths.
  for (const id of order) {
    const loop = steps.get(id);
    if (loop?.spec?.behavior !== "loop") continue;
    const reached = new Set<string>();
    const stack = (loop.outgoing.get(LOOP_ITEM_OUTPUT) ?? []).map((edge) => edge.to);
    while (stack.length) {
      const next = stack.pop() as string;
      if (reached.has(next) || next === id) continue;
      reached.add(next);
      for (const edges of steps.get(next)?.outgoing.values() ?? []) for (const edge of edges) stack.push(edge.to);
    }
    loop.subPath = order.filter((stepId) => reached.has(stepId));
    for (const stepId of loop.subPath) {
      const member = steps.get(stepId);
      if (member) member.loop = id;
    }
  }
  for (const id of order) {
    const loop = steps.get(id);
    if (loop?.spec?.behavior !== "loop") continue;
    const members = new Set(loop.subPath);
    loop.subPathEnds = loop.subPath.filter((stepId) => {
      const member = steps.get(stepId);
      if (!member || member.loop !== id) return false;
      // A nested loop's items are not where the outer item ends; its collected results (on "done") are.
      const nestedLoop = member.spec?.behavior === "loop";
      const onward = [...member.outgoing.entries()]
        .filter(([output]) => output !== ERROR_OUTPUT && !(nestedLoop && output === LOOP_ITEM_OUTPUT))
        .flatMap(([, edges]) => edges);
      return onward.every((edge) => !members.has(edge.to));
    });
  }
  return { graph, steps, order, cyclic };
}
