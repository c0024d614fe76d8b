// Where workspaces require single sign-on, a password opens nothing for their members other than owners: a
// person whose every workspace is such one is told at the sign-in form to use single sign-on instead.
import { type Db, scoped } from "@tributary/db";
import { AppError } from "../errors/app-error.ts";

export const PASSWORD_SIGN_IN_REFUSED = (names: string[]) =>
  `${names.join(", ")} ${names.length === 1 ? "requires" : "require"} single sign-on: use “Sign in with SSO” with your work email. Owners may still sign in with their password.`;

/** Refuses a password sign-in (with details.ssoRequired) that could enter none of the person's workspaces. */
export async function assertPasswordSignInUseful({ db, userId }: { db: Db; userId: string }): Promise<void> {
  const memberships = await scoped(db, { userId }, (tx) =>
    tx.membership.findMany({ where: { userId }, select: { workspaceId: true, role: true } }),
  );
  if (memberships.length === 0 || memberships.some((m) => m.role === "owner")) return;
  const refusing: string[] = [];
  for (const { workspaceId } of memberships) {
    const workspace = await scoped(db, { workspaceId }, (tx) =>
      tx.workspace.findUniqueOrThrow({
        where: { id: workspaceId },
        select: { name: true, ssoConfig: { select: { enabled: true, requireSso: true } } },
      }),
    );
    if (!(workspace.ssoConfig?.enabled && workspace.ssoConfig.requireSso)) return;
    refusing.push(workspace.name);
  }
  throw new AppError("UNAUTHORIZED", PASSWORD_SIGN_IN_REFUSED(refusing), { ssoRequired: true });
}
