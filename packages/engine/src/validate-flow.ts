// Validation for the builder and for publishing: every problem of a flow, each tied to the step (and config
// field) it is about, in words that say what to do.
import { ERROR_OUTPUT, LOOP_DONE_OUTPUT, LOOP_ITEM_OUTPUT, outputsOf, type StepCatalog } from "./catalog.ts";
import { compileExpression, expressionErrors } from "./expressions.ts";
import type { FlowGraph } from "./flow-graph.ts";
import { fieldLabel, issueSentence } from "./issue-sentences.ts";
import { prepareFlow } from "./prepare-flow.ts";

export type ValidationCode =
  | "no_trigger"
  | "duplicate_id"
  | "unknown_step_type"
  | "invalid_config"
  | "bad_expression"
  | "edge_to_nowhere"
  | "unknown_output"
  | "trigger_has_input"
  | "cycle"
  | "unreachable"
  | "loop_escape"
  /** A connection, security rule, flow or secret named by a step that the workspace does not have. */
  | "unresolved_reference";

export type ValidationError = {
  code: ValidationCode;
  message: string;
  stepId?: string;
  edgeId?: string;
  /** Dotted path of the config field, for config and expression errors. */
  field?: string;
  /** Where in a code field the problem is (1-based), for the editor to underline. */
  location?: { line: number; column: number; endLine: number; endColumn: number };
};

const label = (step: { id: string; name?: string | undefined }) =>
  step.name ? `"${step.name}" (${step.id})` : `"${step.id}"`;

export function validateFlow({ graph, catalog }: { graph: FlowGraph; catalog: StepCatalog }): ValidationError[] {
  const errors: ValidationError[] = [];
  const seen = new Set<string>();
  for (const step of graph.steps) {
    if (seen.has(step.id)) {
      errors.push({
        code: "duplicate_id",
        stepId: step.id,
        message: `Two steps share the id "${step.id}": give one another id.`,
      });
    }
    seen.add(step.id);
    const spec = catalog.get(step.type);
    if (!spec) {
      errors.push({
        code: "unknown_step_type",
        stepId: step.id,
        message: `Step ${label(step)} has type "${step.type}", which this Tributary does not know. Replace it with a step from the palette.`,
      });
      continue;
    }
    const parsed = spec.config.safeParse(step.config);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.join(".");
        errors.push({
          code: "invalid_config",
          stepId: step.id,
          ...(field ? { field } : {}),
          message: `${spec.title} ${label(step)}: ${issueSentence(issue, fieldLabel(issue.path, spec.config))}`,
        });
      }
    }
    for (const field of spec.expressionFields ?? []) {
      const source = step.config[field];
      if (typeof source !== "string" || !source.trim()) continue;
      try {
        compileExpression(source);
      } catch (error) {
        errors.push({
          code: "bad_expression",
          stepId: step.id,
          field,
          message: `${spec.title} ${label(step)}: ${field}: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }
    for (const problem of expressionErrors(step.config)) {
      errors.push({
        code: "bad_expression",
        stepId: step.id,
        field: problem.field,
        message: `${spec.title} ${label(step)}: ${problem.field}: ${problem.message}`,
      });
    }
  }

  const byId = new Map(graph.steps.map((step) => [step.id, step]));
  graph.edges.forEach((edge, index) => {
    const edgeId = edge.id ?? `edge-${index}`;
    const from = byId.get(edge.from);
    const to = byId.get(edge.to);
    if (!from || !to) {
      const missing = !from ? edge.from : edge.to;
      errors.push({
        code: "edge_to_nowhere",
        edgeId,
        ...(from ? { stepId: from.id } : {}),
        message: `A connection ${!from ? "starts at" : "leads to"} "${missing}", which is not a step of this flow. Delete the connection.`,
      });
      return;
    }
    const spec = catalog.get(from.type);
    if (spec) {
      const outputs = outputsOf(spec, from.config);
      if (!outputs.includes(edge.output)) {
        errors.push({
          code: "unknown_output",
          edgeId,
          stepId: from.id,
          message: `Step ${label(from)} has no output "${edge.output}" (it has ${outputs.map((o) => `"${o}"`).join(", ")}). Reconnect from an existing output.`,
        });
      }
    }
    if (catalog.get(to.type)?.kind === "trigger") {
      errors.push({
        code: "trigger_has_input",
        edgeId,
        stepId: to.id,
        message: `Trigger ${label(to)} starts runs; nothing can lead into it. Delete the connection into it.`,
      });
    }
  });

  const triggers = graph.steps.filter((step) => catalog.get(step.type)?.kind === "trigger");
  if (triggers.length === 0) {
    errors.push({
      code: "no_trigger",
      message: graph.steps.length
        ? "The flow has no trigger: add a webhook, schedule or manual trigger to start it."
        : "The flow is empty: start with a trigger (a webhook, a schedule or a manual trigger).",
    });
  }

  const prepared = prepareFlow({ graph, catalog });
  if (prepared.cyclic.length) {
    const names = prepared.cyclic.map((id) => byId.get(id)).filter((s) => s !== undefined);
    for (const step of names) {
      errors.push({
        code: "cycle",
        stepId: step.id,
        message: `Step ${label(step)} is part of a loop of connections (${names.map((s) => s.id).join(" → ")}). Flows run forward only: use a Loop step to repeat work.`,
      });
    }
  }

  // Reachability from any trigger, through every output.
  const reached = new Set<string>();
  const stack = triggers.map((t) => t.id);
  while (stack.length) {
    const id = stack.pop() as string;
    if (reached.has(id)) continue;
    reached.add(id);
    for (const edges of prepared.steps.get(id)?.outgoing.values() ?? []) for (const edge of edges) stack.push(edge.to);
  }
  for (const step of graph.steps) {
    if (!reached.has(step.id) && catalog.has(step.type) && !prepared.cyclic.includes(step.id)) {
      errors.push({
        code: "unreachable",
        stepId: step.id,
        message: `Step ${label(step)} can never run: no trigger leads to it. Connect it, or delete it.`,
      });
    }
  }

  // A loop's sub-path is its own world: entered only through the loop's "item" output, left only by ending.
  for (const [loopId, loop] of prepared.steps) {
    if (loop.spec?.behavior !== "loop") continue;
    const members = new Set(loop.subPath);
    for (const memberId of loop.subPath) {
      const member = prepared.steps.get(memberId);
      for (const edge of member?.incoming ?? []) {
        const inside = members.has(edge.from) || (edge.from === loopId && edge.output === LOOP_ITEM_OUTPUT);
        if (!inside) {
          errors.push({
            code: "loop_escape",
            stepId: memberId,
            ...(edge.id ? { edgeId: edge.id } : {}),
            message: `Step "${memberId}" runs once per item of loop "${loopId}", so nothing outside the loop may lead into it (here "${edge.from}" does). Connect outside steps to the loop's "${LOOP_DONE_OUTPUT}" output instead.`,
          });
        }
      }
    }
    for (const edge of loop.outgoing.get(ERROR_OUTPUT) ?? []) {
      if (members.has(edge.to)) {
        errors.push({
          code: "loop_escape",
          stepId: loopId,
          message: `Loop "${loopId}"'s error output cannot lead into its own items' steps.`,
        });
      }
    }
  }
  return errors;
}
