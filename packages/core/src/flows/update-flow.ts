import { type Db, type Prisma, scoped } from "@tributary/db";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import { syncWebhookRoutes } from "../webhooks/sync-routes.ts";
import { flowNameSchema } from "./create-flow.ts";
import { flowGraphInput } from "./flow-graph-input.ts";
import { resolveFlowReferences } from "./flow-references.ts";

export const saveDraftInput = z.object({
  flowId: z.uuid(),
  graph: flowGraphInput,
  /** The revision the editor started from: saving over someone else's newer draft is refused, not silent. */
  baseRevision: z.number().int().min(0),
});

/** Saves the draft graph (autosave). Two editors are told about each other instead of overwriting. */
export async function saveFlowDraft({
  db,
  workspaceId,
  actor,
  flowId,
  graph: given,
  baseRevision,
}: { db: Db; workspaceId: string; actor: Actor } & z.output<typeof saveDraftInput>): Promise<{ revision: number }> {
  return scoped(db, { workspaceId }, async (tx) => {
    // Names from a flow file become this workspace's ids; what does not resolve stays, for validation to name.
    const { graph } = await resolveFlowReferences({ tx, workspaceId, graph: given });
    const saved = await tx.flow.updateMany({
      where: { id: flowId, workspaceId, draftRevision: baseRevision },
      data: {
        draft: graph as unknown as Prisma.InputJsonObject,
        draftRevision: { increment: 1 },
        draftUpdatedById: actor.userId,
      },
    });
    if (saved.count === 1) {
      await syncWebhookRoutes({ tx, workspaceId, flowId, graph, isTest: true });
      return { revision: baseRevision + 1 };
    }
    const current = await tx.flow.findFirst({
      where: { id: flowId, workspaceId },
      select: { draftRevision: true, draftUpdatedById: true },
    });
    if (!current) throw notFound("That flow");
    const by = current.draftUpdatedById
      ? await tx.user.findUnique({ where: { id: current.draftUpdatedById }, select: { email: true } })
      : null;
    throw new AppError(
      "CONFLICT",
      `${by?.email ?? "Someone"} saved a newer version of this draft. Reload to see their changes before saving yours.`,
      { revision: current.draftRevision, by: by?.email ?? null },
    );
  });
}

export const updateFlowInput = z.object({
  flowId: z.uuid(),
  name: flowNameSchema.optional(),
  description: z.string().max(2000).optional(),
  maxConcurrentRuns: z.number().int().min(1).max(10_000).nullable().optional(),
});

/** Renames a flow, changes its description or its own concurrency limit. */
export async function updateFlow({
  db,
  workspaceId,
  actor,
  flowId,
  ...changes
}: { db: Db; workspaceId: string; actor: Actor } & z.output<typeof updateFlowInput>): Promise<void> {
  await scoped(db, { workspaceId }, async (tx) => {
    const before = await tx.flow.findFirst({ where: { id: flowId, workspaceId }, select: { name: true } });
    if (!before) throw notFound("That flow");
    await tx.flow.update({ where: { id: flowId }, data: changes });
    if (changes.name && changes.name !== before.name) {
      await recordAudit({
        tx,
        workspaceId,
        actor,
        action: "flow.renamed",
        target: { type: "flow", id: flowId },
        details: { from: before.name, to: changes.name },
      });
    }
  });
}
