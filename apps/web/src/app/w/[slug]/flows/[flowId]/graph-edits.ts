// Pure edits of a flow graph, as the builder makes them. Each returns a new graph.
import type { PaletteEntry } from "@tributary/core";
import type { Edge, Graph, Step } from "./use-draft.ts";

const GAP_X = 260;

/** A short id from the step type, unique in the graph: "transform", "transform-2"… */
export function newStepId(graph: Graph, type: string): string {
  const base = (type.split(".").pop() ?? "step").replace(/[^a-z0-9-]/gi, "-").toLowerCase();
  const taken = new Set(graph.steps.map((step) => step.id));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/**
 * The config a new step starts with: the defaults of its schema. A webhook's path, which has no default, starts
 * as the flow's name ("Orders in" → "orders-in"), so a new flow has a URL at once instead of a problem to fix.
 */
export function defaultConfig(entry: PaletteEntry, graph: Graph, flowName: string): Record<string, unknown> {
  const schema = entry.configSchema as { properties?: Record<string, { default?: unknown }> };
  const config: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    if (field.default !== undefined) config[name] = structuredClone(field.default);
  }
  if (entry.type === "trigger.webhook") config.path = newWebhookPath(graph, flowName);
  return config;
}

/** A path from the flow's name, unlike the paths of the flow's other webhooks: "orders-in", "orders-in-2"… */
function newWebhookPath(graph: Graph, flowName: string): string {
  const base =
    flowName
      .normalize("NFKD")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .slice(0, 60)
      .replace(/^-+|-+$/g, "") || "hook";
  const taken = new Set(
    graph.steps.filter((step) => step.type === "trigger.webhook").map((step) => String(step.config.path ?? "")),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** Adds a step at a position, or after `after` (connected from its first output) when no position is given. */
export function addStep(
  graph: Graph,
  entry: PaletteEntry,
  {
    position,
    after,
    flowName,
  }: {
    position?: { x: number; y: number };
    /** The selected step: the new one goes to its right, hung from the first of its outputs. */
    after?: { step: Step; entry: PaletteEntry | undefined } | undefined;
    flowName: string;
  },
): { graph: Graph; id: string } {
  const id = newStepId(graph, entry.type);
  const at = position ??
    (after?.step.position ? { x: after.step.position.x + GAP_X, y: after.step.position.y } : undefined) ?? {
      x: 80 + graph.steps.length * 40,
      y: 80 + graph.steps.length * 40,
    };
  const step: Step = { id, type: entry.type, config: defaultConfig(entry, graph, flowName), position: at };
  const edges =
    after && !position && entry.kind === "action"
      ? [...graph.edges, { from: after.step.id, to: id, output: outputsOf(after.step, after.entry)[0] ?? "out" }]
      : graph.edges;
  return { graph: { ...graph, steps: [...graph.steps, step], edges }, id };
}

export function connect(graph: Graph, edge: Edge): Graph {
  if (edge.from === edge.to) return graph;
  const exists = graph.edges.some((e) => e.from === edge.from && e.to === edge.to && e.output === edge.output);
  return exists ? graph : { ...graph, edges: [...graph.edges, edge] };
}

export function removeEdges(graph: Graph, remove: (edge: Edge) => boolean): Graph {
  const edges = graph.edges.filter((edge) => !remove(edge));
  return edges.length === graph.edges.length ? graph : { ...graph, edges };
}

export function removeSteps(graph: Graph, ids: ReadonlySet<string>): Graph {
  if (!ids.size) return graph;
  return {
    ...graph,
    steps: graph.steps.filter((step) => !ids.has(step.id)),
    edges: graph.edges.filter((edge) => !ids.has(edge.from) && !ids.has(edge.to)),
  };
}

export function updateStep(graph: Graph, id: string, patch: (step: Step) => Step): Graph {
  return { ...graph, steps: graph.steps.map((step) => (step.id === id ? patch(step) : step)) };
}

export function moveSteps(graph: Graph, positions: ReadonlyMap<string, { x: number; y: number }>): Graph {
  if (!positions.size) return graph;
  return {
    ...graph,
    steps: graph.steps.map((step) => {
      const position = positions.get(step.id);
      return position ? { ...step, position } : step;
    }),
  };
}

/** Copied steps with the edges among them, as the clipboard holds them. */
export type Clipboard = { steps: Step[]; edges: Edge[] };

export function copySteps(graph: Graph, ids: ReadonlySet<string>): Clipboard {
  return {
    steps: graph.steps.filter((step) => ids.has(step.id)),
    edges: graph.edges.filter((edge) => ids.has(edge.from) && ids.has(edge.to)),
  };
}

/** Pastes copies with fresh ids, offset so they do not hide the originals; returns the new ids. */
export function pasteSteps(graph: Graph, clipboard: Clipboard): { graph: Graph; ids: string[] } {
  const renamed = new Map<string, string>();
  let next = graph;
  for (const step of clipboard.steps) {
    const id = newStepId(next, step.type);
    renamed.set(step.id, id);
    const position = step.position ? { x: step.position.x + 40, y: step.position.y + 40 } : undefined;
    next = {
      ...next,
      steps: [...next.steps, { ...structuredClone(step), id, ...(position ? { position } : {}) }],
    };
  }
  const edges = clipboard.edges.map((edge) => ({
    ...edge,
    from: renamed.get(edge.from) ?? edge.from,
    to: renamed.get(edge.to) ?? edge.to,
  }));
  return { graph: { ...next, edges: [...next.edges, ...edges] }, ids: [...renamed.values()] };
}

/** The named outputs a step is drawn with: its type's, the cases of a switch, and "error" for actions. */
export function outputsOf(step: Step, entry: PaletteEntry | undefined): string[] {
  if (!entry) return ["out"];
  let outputs = entry.outputs;
  if (step.type === "flow.switch") {
    const cases = (step.config.cases as { name?: string }[] | undefined) ?? [];
    outputs = [...cases.map((c) => c.name ?? "").filter(Boolean), "default"];
  }
  return entry.kind === "action" ? [...outputs, "error"] : outputs;
}
