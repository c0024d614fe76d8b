import { type Db, type Role, scoped } from "@tributary/db";
import { AppError } from "../errors/app-error.ts";

export const TWO_FACTOR_REQUIRED =
  "This workspace requires two-factor sign-in. Turn it on on your account page to use the workspace.";

/**
 * The user's role in the workspace, or null when they are not a member (or it does not exist). A workspace that
 * requires two-factor sign-in refuses (FORBIDDEN, details.twoFactorRequired) a member without it: every way in
 * through a session asks this first.
 */
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
    tx.membership.findUnique({
      where: { workspaceId_userId: { workspaceId, userId } },
      select: {
        role: true,
        workspace: { select: { requireTwoFactor: true } },
        user: { select: { totpEnabledAt: true } },
      },
    }),
  );
  if (!membership) return null;
  if (membership.workspace.requireTwoFactor && !membership.user.totpEnabledAt) {
    throw new AppError("FORBIDDEN", TWO_FACTOR_REQUIRED, { twoFactorRequired: true });
  }
  return membership.role;
}
