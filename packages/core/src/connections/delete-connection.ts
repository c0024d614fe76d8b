import { type Db, scoped } from "@tributary/db";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { notFound } from "../errors/app-error.ts";

export const connectionIdInput = z.object({ connectionId: z.uuid() });

export async function deleteConnection({
  db,
  workspaceId,
  actor,
  connectionId,
}: { db: Db; workspaceId: string; actor: Actor } & z.output<typeof connectionIdInput>): Promise<void> {
  await scoped(db, { workspaceId }, async (tx) => {
    const connection = await tx.connection.findFirst({
      where: { id: connectionId, workspaceId },
      select: { name: true },
    });
    if (!connection) throw notFound("That connection");
    await tx.connection.delete({ where: { id: connectionId } });
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "connection.deleted",
      target: { type: "connection", id: connectionId },
      details: { name: connection.name },
    });
  });
}
