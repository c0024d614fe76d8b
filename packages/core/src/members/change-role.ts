import { type Db, type Role, scoped } from "@tributary/db";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import { ROLES } from "../permissions/permission-matrix.ts";
import { mayManage } from "../permissions/roles.ts";
import { lockOwners } from "./owners.ts";

export const changeRoleInput = z.object({ userId: z.uuid(), role: z.enum(ROLES) });

export async function changeRole({
  db,
  workspaceId,
  actor,
  actorRole,
  userId,
  role,
}: { db: Db; workspaceId: string; actor: Actor; actorRole: Role } & z.output<typeof changeRoleInput>): Promise<void> {
  await scoped(db, { workspaceId }, async (tx) => {
    const owners = await lockOwners({ tx, workspaceId });
    const member = await tx.membership.findUnique({
      where: { workspaceId_userId: { workspaceId, userId } },
      select: { role: true, user: { select: { email: true } } },
    });
    if (!member) throw notFound("That member");
    if (member.role === role) return;
    if (!mayManage({ actorRole, role: member.role }) || !mayManage({ actorRole, role })) {
      throw new AppError("FORBIDDEN", `As ${actorRole} you cannot change a ${member.role} into ${role}; ask an owner.`);
    }
    if (member.role === "owner" && owners.length === 1) {
      throw new AppError(
        "PRECONDITION_FAILED",
        "A workspace needs at least one owner: make another member owner first.",
      );
    }
    await tx.membership.update({ where: { workspaceId_userId: { workspaceId, userId } }, data: { role } });
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "member.role_changed",
      target: { type: "user", id: userId },
      details: { email: member.user.email, from: member.role, to: role },
    });
  });
}
