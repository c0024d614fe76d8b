import { type Db, type Role, scoped } from "@tributary/db";

export type PendingInvite = { id: string; email: string; role: Role; expiresAt: Date; createdAt: Date };

/** Invites that can still be accepted. */
export async function listPendingInvites({
  db,
  workspaceId,
}: {
  db: Db;
  workspaceId: string;
}): Promise<PendingInvite[]> {
  return scoped(db, { workspaceId }, (tx) =>
    tx.invite.findMany({
      where: { workspaceId, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
      select: { id: true, email: true, role: true, expiresAt: true, createdAt: true },
      orderBy: { createdAt: "desc" },
    }),
  );
}
