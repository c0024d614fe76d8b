// What a demo workspace may not publish: listener triggers, which each take one of the installation's few
// listener ports (LISTENER_PORTS) and open it to the internet; an anonymous visitor could take them all.
import { STEP_DEFINITIONS } from "@tributary/connectors";
import { type Db, scoped } from "@tributary/db";
import type { FlowGraph, ValidationError } from "@tributary/engine";
import { DEMO_PLAN } from "../demo/demo-plan.ts";

export async function checkDemoSteps({
  db,
  workspaceId,
  graph,
}: {
  db: Db;
  workspaceId: string;
  graph: FlowGraph;
}): Promise<ValidationError[]> {
  const listeners = graph.steps.filter((step) => {
    const definition = STEP_DEFINITIONS.get(step.type);
    return definition?.kind === "trigger" && definition.listens === true;
  });
  if (!listeners.length) return [];
  const workspace = await scoped(db, { workspaceId }, (tx) =>
    tx.workspace.findUnique({ where: { id: workspaceId }, select: { planId: true } }),
  );
  if (workspace?.planId !== DEMO_PLAN) return [];
  return listeners.map((step) => ({
    code: "invalid_config" as const,
    stepId: step.id,
    message: `Trigger ${step.name ? `"${step.name}"` : `"${step.id}"`}: demo workspaces cannot open listener ports. Sign up to keep this workspace and use it.`,
  }));
}
