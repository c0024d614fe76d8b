// A step that names another flow must name one of this workspace's flows, so a flow id copied from another
// tenant is a validation error, not a run that fails.
import { type Db, scoped } from "@tributary/db";
import type { FlowGraph, ValidationError } from "@tributary/engine";

const FLOW_CALL_STEP_TYPE = "flow.call";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function checkFlowReferences({
  db,
  workspaceId,
  graph,
}: {
  db: Db;
  workspaceId: string;
  graph: FlowGraph;
}): Promise<ValidationError[]> {
  // Ids that are not UUIDs are already reported by the step's config schema.
  const calls = graph.steps.filter(
    (step) =>
      step.type === FLOW_CALL_STEP_TYPE && typeof step.config.flowId === "string" && UUID.test(step.config.flowId),
  );
  if (!calls.length) return [];
  const wanted = [...new Set(calls.map((step) => step.config.flowId as string))];
  const found = await scoped(db, { workspaceId }, (tx) =>
    tx.flow.findMany({ where: { workspaceId, id: { in: wanted } }, select: { id: true } }),
  );
  const known = new Set(found.map((flow) => flow.id));
  return calls
    .filter((step) => !known.has(step.config.flowId as string))
    .map((step) => ({
      code: "invalid_config" as const,
      stepId: step.id,
      field: "flowId",
      message: `Call ${step.name ? `"${step.name}"` : `"${step.id}"`}: there is no flow ${step.config.flowId as string} in this workspace. Choose one of its flows.`,
    }));
}
