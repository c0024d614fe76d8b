import { type Db, type Role, scoped } from "@tributary/db";
import { AppError } from "../errors/app-error.ts";
import { TWO_FACTOR_REQUIRED } from "./member-role.ts";

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
      select: {
        role: true,
        workspace: { select: { id: true, slug: true, name: true, planId: true, isDemo: true, requireTwoFactor: true } },
        user: { select: { totpEnabledAt: true } },
      },
    }),
  );
  if (!membership) return null;
  const { requireTwoFactor, ...workspace } = membership.workspace;
  if (requireTwoFactor && !membership.user.totpEnabledAt) {
    throw new AppError("FORBIDDEN", TWO_FACTOR_REQUIRED, { twoFactorRequired: true });
  }
  return { ...workspace, role: membership.role };
}
