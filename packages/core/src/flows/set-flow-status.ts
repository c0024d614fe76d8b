import { type Db, scoped } from "@tributary/db";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { AppError, notFound } from "../errors/app-error.ts";

export const setFlowStatusInput = z.object({ flowId: z.uuid(), status: z.enum(["active", "paused"]) });

/** Pauses a flow (its triggers stop starting runs) or activates it again. */
export async function setFlowStatus({
  db,
  workspaceId,
  actor,
  flowId,
  status,
}: { db: Db; workspaceId: string; actor: Actor } & z.output<typeof setFlowStatusInput>): Promise<void> {
  await scoped(db, { workspaceId }, async (tx) => {
    const flow = await tx.flow.findFirst({
      where: { id: flowId, workspaceId },
      select: { status: true, currentVersionId: true },
    });
    if (!flow) throw notFound("That flow");
    if (status === "active" && !flow.currentVersionId) {
      throw new AppError("PRECONDITION_FAILED", "Publish the flow before activating it.");
    }
    if (flow.status === status) return;
    await tx.flow.update({ where: { id: flowId }, data: { status } });
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "flow.status_changed",
      target: { type: "flow", id: flowId },
      details: { status },
    });
  });
}
