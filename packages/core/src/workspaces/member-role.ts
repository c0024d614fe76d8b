import { type Db, type Role, scoped } from "@tributary/db";
import { AppError } from "../errors/app-error.ts";

export const TWO_FACTOR_REQUIRED =
  "This workspace requires two-factor sign-in. Turn it on on your account page to use the workspace.";

export const SSO_REQUIRED =
  "This workspace requires single sign-on: sign in with “Sign in with SSO” and your work email to use it.";

export const OTHER_SSO_SESSION =
  "You signed in with another workspace's single sign-on, which opens only that workspace. Sign out and sign in with your password (or this workspace's single sign-on) to use this one.";

/** What a membership check needs to know about the workspace, the member and how the session was signed in. */
export const ENTRY_SELECT = {
  role: true,
  workspace: {
    select: { slug: true, requireTwoFactor: true, ssoConfig: { select: { enabled: true, requireSso: true } } },
  },
  user: { select: { totpEnabledAt: true } },
} as const;

type Entry = {
  role: Role;
  workspace: { slug: string; requireTwoFactor: boolean; ssoConfig: { enabled: boolean; requireSso: boolean } | null };
  user: { totpEnabledAt: Date | null };
};

/**
 * Refuses a session the workspace does not take: one signed in with another workspace's single sign-on; a
 * password session of a member other than an owner where the workspace requires single sign-on (owners keep
 * their password as a way back in when the provider fails); a member without two-factor sign-in where the
 * workspace requires it (a session from the workspace's own provider is exempt: the provider asks its factors).
 */
export function assertSessionMayEnter({
  workspaceId,
  entry,
  ssoWorkspaceId,
}: {
  workspaceId: string;
  entry: Entry;
  ssoWorkspaceId: string | null | undefined;
}): void {
  const { workspace } = entry;
  if (ssoWorkspaceId && ssoWorkspaceId !== workspaceId) {
    throw new AppError("FORBIDDEN", OTHER_SSO_SESSION, { otherSsoSession: true });
  }
  const viaOwnSso = ssoWorkspaceId === workspaceId;
  const ssoRequired = workspace.ssoConfig?.enabled === true && workspace.ssoConfig.requireSso;
  if (ssoRequired && !viaOwnSso && entry.role !== "owner") {
    throw new AppError("FORBIDDEN", SSO_REQUIRED, { ssoRequired: true, slug: workspace.slug });
  }
  if (workspace.requireTwoFactor && !viaOwnSso && !entry.user.totpEnabledAt) {
    throw new AppError("FORBIDDEN", TWO_FACTOR_REQUIRED, { twoFactorRequired: true });
  }
}

/**
 * The user's role in the workspace, or null when they are not a member (or it does not exist). Every way in
 * through a session asks this first; it refuses (FORBIDDEN) what assertSessionMayEnter refuses.
 */
export async function memberRole({
  db,
  workspaceId,
  userId,
  ssoWorkspaceId,
}: {
  db: Db;
  workspaceId: string;
  userId: string;
  /** The workspace whose single sign-on made the session; none for a password session. */
  ssoWorkspaceId?: string | null;
}): Promise<Role | null> {
  const membership = await scoped(db, { workspaceId }, (tx) =>
    tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId, userId } }, select: ENTRY_SELECT }),
  );
  if (!membership) return null;
  assertSessionMayEnter({ workspaceId, entry: membership, ssoWorkspaceId });
  return membership.role;
}
