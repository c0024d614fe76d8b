// What the engine knows of a step type: enough to validate and plan a flow, nothing about how it runs.
// packages/connectors builds these from its definitions; the builder draws steps from them.
import type { z } from "zod";
import type { ReferenceField } from "./flow-references.ts";

export type StepKind = "trigger" | "action";

/**
 * How the planner treats a step beyond "run once per incoming message":
 * - merge: waits for every incoming edge to deliver or be ruled out, then runs once with all inputs;
 * - loop: its output lists items; each item runs through the sub-path on its "item" output, and the
 *   collected results leave on "done";
 * - respond: its message is the run's answer to a waiting webhook caller.
 */
export type StepBehavior = "merge" | "loop" | "respond";

export type StepTypeSpec = {
  type: string;
  kind: StepKind;
  title: string;
  description: string;
  category: string;
  config: z.ZodType;
  /** The named outputs of a step with this config; actions also get the implicit "error" output. */
  outputs: (config: Record<string, unknown>) => string[];
  behavior?: StepBehavior;
  /** Config fields that hold a raw JSONata expression (not a `{{ }}` template), checked as expressions. */
  expressionFields?: readonly string[];
  /** Config fields that name the workspace's connections, security rules, flows or secrets. */
  references?: readonly ReferenceField[];
};

export type StepCatalog = ReadonlyMap<string, StepTypeSpec>;

/** Every action step may route its failure to an "error" output instead of failing the run. */
export const ERROR_OUTPUT = "error";
export const DEFAULT_OUTPUT = "out";
export const LOOP_ITEM_OUTPUT = "item";
export const LOOP_DONE_OUTPUT = "done";

export function outputsOf(spec: StepTypeSpec, config: Record<string, unknown>): string[] {
  const outputs = spec.outputs(config);
  return spec.kind === "action" ? [...outputs, ERROR_OUTPUT] : outputs;
}

export function catalogOf(specs: StepTypeSpec[]): StepCatalog {
  return new Map(specs.map((spec) => [spec.type, spec]));
}
