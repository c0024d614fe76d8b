// The flow format: a directed graph of steps joined by edges from a named output to a step. Versioned, so
// flows exported from an older Tributary keep loading (docs/flow-format.md).
import { z } from "zod";

export const CURRENT_FLOW_VERSION = 1;

export const stepIdSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, {
  message: "Step ids start with a letter and use letters, digits, _ and - (at most 64).",
});

export const retryPolicySchema = z.object({
  /** Total tries, the first included. */
  attempts: z.number().int().min(1).max(10).default(1),
  initialDelayMs: z.number().int().min(0).max(3_600_000).default(1_000),
  maxDelayMs: z.number().int().min(0).max(86_400_000).default(60_000),
  multiplier: z.number().min(1).max(10).default(2),
  /** "transient": timeouts, connection errors, 5xx and 429; "all": any error but invalid configuration. */
  retryOn: z.enum(["transient", "all"]).default("transient"),
});

export type RetryPolicy = z.output<typeof retryPolicySchema>;

export const flowStepSchema = z.object({
  id: stepIdSchema,
  type: z.string().min(1, { message: "Every step needs a type." }),
  name: z.string().max(120).optional(),
  config: z.record(z.string(), z.unknown()).default({}),
  position: z.object({ x: z.number(), y: z.number() }).optional(),
  /** A disabled step passes its input through unchanged on its "out" output. */
  disabled: z.boolean().optional(),
  retry: retryPolicySchema.optional(),
});

export const flowEdgeSchema = z.object({
  id: z.string().max(100).optional(),
  from: z.string(),
  output: z.string().default("out"),
  to: z.string(),
});

export const flowGraphSchema = z.object({
  /** parseFlowGraph upgrades older versions before this schema applies. */
  version: z.number().int().positive(),
  steps: z.array(flowStepSchema).max(2_000),
  edges: z.array(flowEdgeSchema).max(10_000),
});

export type FlowStep = z.output<typeof flowStepSchema>;
export type FlowEdge = z.output<typeof flowEdgeSchema>;
export type FlowGraph = z.output<typeof flowGraphSchema>;

export class FlowFormatError extends Error {
  override name = "FlowFormatError";
  readonly issues: { path: string; message: string }[];
  constructor(message: string, issues: { path: string; message: string }[] = []) {
    super(message);
    this.issues = issues;
  }
}

// Each entry upgrades a graph of version N to N + 1. Empty while only version 1 exists; the next change of
// the format adds its upgrade here and bumps CURRENT_FLOW_VERSION.
const UPGRADES: Record<number, (graph: Record<string, unknown>) => Record<string, unknown>> = {};

/** Loads a flow graph of any known version, upgraded to the current one. */
export function parseFlowGraph(input: unknown, upgrades = UPGRADES, current = CURRENT_FLOW_VERSION): FlowGraph {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new FlowFormatError("A flow must be a JSON object with version, steps and edges.");
  }
  let graph = input as Record<string, unknown>;
  const version = graph.version;
  if (version === undefined) {
    throw new FlowFormatError('This flow has no "version": it is not in the Tributary flow format.');
  }
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
    throw new FlowFormatError(`"version" must be a positive whole number, not ${JSON.stringify(version)}.`);
  }
  if (version > current) {
    throw new FlowFormatError(
      `This flow is in format version ${version}, made by a newer Tributary; this one reads up to version ${current}.`,
    );
  }
  for (let v = version; v < current; v++) {
    const upgrade = upgrades[v];
    if (!upgrade) throw new FlowFormatError(`No upgrade from flow format version ${v}.`);
    graph = { ...upgrade(graph), version: v + 1 };
  }
  const parsed = flowGraphSchema.safeParse(graph);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
    const first = issues[0];
    throw new FlowFormatError(
      `The flow is not valid${first ? ` at ${first.path || "the top"}: ${first.message}` : "."}`,
      issues,
    );
  }
  return parsed.data;
}

export function emptyFlowGraph(): FlowGraph {
  return { version: CURRENT_FLOW_VERSION, steps: [], edges: [] };
}
