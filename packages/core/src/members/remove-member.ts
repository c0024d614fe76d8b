import { type Db, type Role, scoped } from "@tributary/db";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import { mayManage } from "../permissions/roles.ts";
import { lockOwners } from "./owners.ts";

export const removeMemberInput = z.object({ userId: z.uuid() });

/** Removes a member (or, with actor.userId === userId, lets a member leave). A workspace keeps an owner. */
export async function removeMember({
  db,
  workspaceId,
  actor,
  actorRole,
  userId,
}: { db: Db; workspaceId: string; actor: Actor; actorRole: Role } & z.output<typeof removeMemberInput>): Promise<void> {
  const leaving = actor.userId === userId;
  await scoped(db, { workspaceId }, async (tx) => {
    const owners = await lockOwners({ tx, workspaceId });
    const member = await tx.membership.findUnique({
      where: { workspaceId_userId: { workspaceId, userId } },
      select: { role: true, user: { select: { email: true } } },
    });
    if (!member) throw notFound("That member");
    if (!leaving && !mayManage({ actorRole, role: member.role })) {
      throw new AppError("FORBIDDEN", `As ${actorRole} you cannot remove a ${member.role}; ask an owner.`);
    }
    if (member.role === "owner" && owners.length === 1) {
      throw new AppError(
        "PRECONDITION_FAILED",
        leaving
          ? "You are the only owner: make another member owner first, or delete the workspace."
          : "A workspace needs at least one owner: make another member owner first.",
      );
    }
    await tx.membership.delete({ where: { workspaceId_userId: { workspaceId, userId } } });
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: leaving ? "member.left" : "member.removed",
      target: { type: "user", id: userId },
      details: { email: member.user.email, role: member.role },
    });
  });
}
