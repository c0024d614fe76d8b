import { type Db, type Role, scoped } from "@tributary/db";

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
}: {
  db: Db;
  userId: string;
  slug: string;
}): Promise<(MyWorkspace & { planId: string; isDemo: boolean }) | null> {
  const membership = await scoped(db, { userId }, (tx) =>
    tx.membership.findFirst({
      where: { userId, workspace: { slug } },
      select: { role: true, workspace: { select: { id: true, slug: true, name: true, planId: true, isDemo: true } } },
    }),
  );
  return membership ? { ...membership.workspace, role: membership.role } : null;
}
