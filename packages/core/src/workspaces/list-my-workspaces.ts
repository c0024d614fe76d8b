import { type Db, type Role, scoped } from "@tributary/db";
import { memberRole } from "./member-role.ts";

export type MyWorkspace = { id: string; slug: string; name: string; role: Role };

export async function listMyWorkspaces({ db, userId }: { db: Db; userId: string }): Promise<MyWorkspace[]> {
  const memberships = await scoped(db, { userId }, (tx) =>
    tx.membership.findMany({
      where: { userId },
      select: { role: true, workspace: { select: { id: true, slug: true, name: true } } },
      orderBy: { workspace: { name: "asc" } },
    }),
  );
  return memberships.map(({ role, workspace }) => ({ ...workspace, role }));
}

/** The workspace at `slug` with the user's role in it, or null when it does not exist or they are not a member. */
export async function findMyWorkspace({
  db,
  userId,
  slug,
  ssoWorkspaceId,
}: {
  db: Db;
  userId: string;
  slug: string;
  /** The workspace whose single sign-on made the session; none for a password session. */
  ssoWorkspaceId?: string | null;
}): Promise<(MyWorkspace & { planId: string; isDemo: boolean }) | null> {
  const membership = await scoped(db, { userId }, (tx) =>
    tx.membership.findFirst({
      where: { userId, workspace: { slug } },
      select: { workspace: { select: { id: true, slug: true, name: true, planId: true, isDemo: true } } },
    }),
  );
  if (!membership) return null;
  // The workspace's own rules (two-factor, single sign-on) are read in its scope.
  const role = await memberRole({ db, workspaceId: membership.workspace.id, userId, ssoWorkspaceId });
  return role ? { ...membership.workspace, role } : null;
}
