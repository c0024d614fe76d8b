import { type Db, scoped } from "@tributary/db";
import type { FlowGraph } from "@tributary/engine";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { notFound } from "../errors/app-error.ts";
import { createFlow, flowNameSchema } from "../flows/create-flow.ts";
import { sampleOnTrigger } from "../flows/flow-pins.ts";
import { isWebhookTrigger } from "../webhooks/sync-routes.ts";
import { FLOW_TEMPLATES, type FlowTemplate } from "./flow-templates.ts";

export const createFromTemplateInput = z.object({
  templateId: z.string().min(1).max(100),
  name: flowNameSchema.optional(),
  /** The connection for each step that needs one, by step id; by default the workspace's newest of the type. */
  connections: z.record(z.string(), z.uuid()).default({}),
});

/**
 * A new flow whose draft is the template, with the template's sample message pinned on its trigger. Webhook paths
 * already used in the workspace get a suffix, so the same template can be taken twice and published.
 */
export async function createFlowFromTemplate({
  db,
  workspaceId,
  actor,
  templateId,
  name,
  connections,
}: { db: Db; workspaceId: string; actor: Actor } & z.output<typeof createFromTemplateInput>): Promise<{
  id: string;
  missingConnections: string[];
}> {
  const template = FLOW_TEMPLATES.find((candidate) => candidate.id === templateId);
  if (!template) throw notFound("That template");
  const { chosen, missing } = await chooseConnections({ db, workspaceId, template, connections });
  const usedPaths = await scoped(db, { workspaceId }, (tx) =>
    tx.webhookRoute.findMany({ where: { workspaceId }, select: { path: true } }),
  );
  const graph = withFreePaths(withConnections(template.graph, chosen), new Set(usedPaths.map((route) => route.path)));
  const { id } = await createFlow({
    db,
    workspaceId,
    actor,
    name: name ?? template.title,
    description: template.description,
    graph,
    pins: sampleOnTrigger(graph, template.sample.body),
    template: template.id,
  });
  return { id, missingConnections: missing };
}

async function chooseConnections({
  db,
  workspaceId,
  template,
  connections,
}: {
  db: Db;
  workspaceId: string;
  template: FlowTemplate;
  connections: Record<string, string>;
}): Promise<{ chosen: Record<string, string>; missing: string[] }> {
  const types = [...new Set(template.connections.map((need) => need.type))];
  const own = await scoped(db, { workspaceId }, (tx) =>
    tx.connection.findMany({
      where: { workspaceId, type: { in: types } },
      orderBy: { createdAt: "desc" },
      select: { id: true, type: true },
    }),
  );
  const chosen: Record<string, string> = {};
  const missing: string[] = [];
  for (const need of template.connections) {
    const asked = connections[need.stepId];
    const id = own.find((connection) => connection.id === asked && connection.type === need.type)?.id;
    const fallback = own.find((connection) => connection.type === need.type)?.id;
    if (id ?? fallback) chosen[need.stepId] = (id ?? fallback) as string;
    else missing.push(need.stepId);
  }
  return { chosen, missing };
}

function withConnections(graph: FlowGraph, chosen: Record<string, string>): FlowGraph {
  return {
    ...graph,
    steps: graph.steps.map((step) =>
      chosen[step.id] ? { ...step, config: { ...step.config, connectionId: chosen[step.id] } } : step,
    ),
  };
}

function withFreePaths(graph: FlowGraph, used: Set<string>): FlowGraph {
  return {
    ...graph,
    steps: graph.steps.map((step) => {
      const path = step.config.path;
      if (!isWebhookTrigger(step.type) || typeof path !== "string" || !used.has(path)) return step;
      let n = 2;
      while (used.has(`${path}-${n}`)) n += 1;
      used.add(`${path}-${n}`);
      return { ...step, config: { ...step.config, path: `${path}-${n}` } };
    }),
  };
}
