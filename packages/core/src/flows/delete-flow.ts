import { type Db, retryOnDeadlock, scoped } from "@tributary/db";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { notFound } from "../errors/app-error.ts";

export const deleteFlowInput = z.object({ flowId: z.uuid() });

/** Deletes a flow with its versions and runs. */
export async function deleteFlow({
  db,
  workspaceId,
  actor,
  flowId,
}: { db: Db; workspaceId: string; actor: Actor } & z.output<typeof deleteFlowInput>): Promise<void> {
  await retryOnDeadlock(() =>
    scoped(db, { workspaceId }, async (tx) => {
      const flow = await tx.flow.findFirst({ where: { id: flowId, workspaceId }, select: { name: true } });
      if (!flow) throw notFound("That flow");
      // The current-version pointer refers to a version that goes too.
      await tx.flow.update({ where: { id: flowId }, data: { currentVersionId: null } });
      await tx.flow.delete({ where: { id: flowId } });
      await recordAudit({
        tx,
        workspaceId,
        actor,
        action: "flow.deleted",
        target: { type: "flow", id: flowId },
        details: { name: flow.name },
      });
    }),
  );
}
