import { type Db, scoped } from "@tributary/db";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { notFound } from "../errors/app-error.ts";

export const revokeInviteInput = z.object({ inviteId: z.uuid() });

export async function revokeInvite({
  db,
  workspaceId,
  actor,
  inviteId,
}: { db: Db; workspaceId: string; actor: Actor } & z.output<typeof revokeInviteInput>): Promise<void> {
  await scoped(db, { workspaceId }, async (tx) => {
    const invite = await tx.invite.findFirst({
      where: { id: inviteId, workspaceId, acceptedAt: null, revokedAt: null },
      select: { email: true },
    });
    if (!invite) throw notFound("That invite");
    await tx.invite.update({ where: { id: inviteId }, data: { revokedAt: new Date() } });
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "member.invite_revoked",
      target: { type: "invite", id: inviteId },
      details: { email: invite.email },
    });
  });
}
