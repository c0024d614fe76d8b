import { type Db, type Prisma, scoped } from "@tributary/db";
import { emptyFlowGraph, parseFlowGraph } from "@tributary/engine";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { syncWebhookRoutes } from "../webhooks/sync-routes.ts";
import { flowGraphInput } from "./flow-graph-input.ts";
import type { FlowPins } from "./flow-pins.ts";
import { resolveFlowReferences } from "./flow-references.ts";

export const flowNameSchema = z.string().trim().min(1, { message: "Give the flow a name." }).max(120);

export const createFlowInput = z.object({
  name: flowNameSchema,
  description: z.string().max(2000).default(""),
  graph: flowGraphInput.optional(),
});

export async function createFlow({
  db,
  workspaceId,
  actor,
  name,
  description,
  graph,
  pins,
  template,
}: { db: Db; workspaceId: string; actor: Actor } & z.output<typeof createFlowInput> & {
    /** Sample messages pinned with the draft (a template's or a demo flow's, on its trigger). */
    pins?: FlowPins;
    /** The gallery template it was made from, for the audit log. */
    template?: string;
  }): Promise<{ id: string }> {
  const given = graph ? parseFlowGraph(graph) : emptyFlowGraph();
  return scoped(db, { workspaceId }, async (tx) => {
    // Names from a flow file become this workspace's ids; what does not resolve stays, for validation to name.
    const draft = (await resolveFlowReferences({ tx, workspaceId, graph: given })).graph;
    const flow = await tx.flow.create({
      data: {
        workspaceId,
        name,
        description,
        draft: draft as unknown as Prisma.InputJsonObject,
        ...(pins ? { pins: pins as unknown as Prisma.InputJsonObject } : {}),
        createdById: actor.userId,
        draftUpdatedById: actor.userId,
      },
      select: { id: true },
    });
    await syncWebhookRoutes({ tx, workspaceId, flowId: flow.id, graph: draft, isTest: true });
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "flow.created",
      target: { type: "flow", id: flow.id },
      details: template ? { name, template } : { name },
    });
    return flow;
  });
}
