import { type Db, type Role, scoped } from "@tributary/db";

/** The user's role in the workspace, or null when they are not a member (or it does not exist). */
export async function memberRole({
  db,
  workspaceId,
  userId,
}: {
  db: Db;
  workspaceId: string;
  userId: string;
}): Promise<Role | null> {
  const membership = await scoped(db, { workspaceId }, (tx) =>
    tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId, userId } }, select: { role: true } }),
  );
  return membership?.role ?? null;
}
