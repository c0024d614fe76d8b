// Leaving: deleting one's account. Refused while the user is the last owner of a workspace others still use
// (naming it: they make someone else owner, or delete it, first); a workspace the user is alone in goes with
// the account (the database deletes a workspace whose last member goes, with everything it owns), which the
// person confirms having seen the list. Workspaces they leave behind record it in their audit log.
import { type Db, retryOnDeadlock, scoped } from "@tributary/db";
import { z } from "zod";
import { recordAudit } from "../audit/record-audit.ts";
import { AppError } from "../errors/app-error.ts";
import { verifyPassword } from "./password-hash.ts";

export const deleteAccountInput = z.object({
  password: z.string(),
  /** The slugs of the workspaces deleted with the account, as the person was shown them. */
  confirmWorkspaceSlugs: z.array(z.string()).max(1000),
});

type WorkspaceRef = { id: string; name: string; slug: string };

export type AccountDeletionPlan = {
  /** Workspaces the user is the only member of: deleted with the account. */
  deletedWithIt: WorkspaceRef[];
  /** Workspaces with other members where the user is the only owner: deletion is refused until resolved. */
  blockers: WorkspaceRef[];
};

export async function accountDeletionPlan({ db, userId }: { db: Db; userId: string }): Promise<AccountDeletionPlan> {
  const memberships = await scoped(db, { userId }, (tx) =>
    tx.membership.findMany({
      where: { userId },
      select: { role: true, workspace: { select: { id: true, name: true, slug: true } } },
      orderBy: { workspace: { name: "asc" } },
    }),
  );
  const plan: AccountDeletionPlan = { deletedWithIt: [], blockers: [] };
  for (const { role, workspace } of memberships) {
    // Other members are visible only inside the workspace's own scope.
    const others = await scoped(db, { workspaceId: workspace.id }, (tx) =>
      tx.membership.findMany({
        where: { workspaceId: workspace.id, userId: { not: userId } },
        select: { role: true },
      }),
    );
    if (others.length === 0) plan.deletedWithIt.push(workspace);
    else if (role === "owner" && !others.some((other) => other.role === "owner")) plan.blockers.push(workspace);
  }
  return plan;
}

export async function deleteAccount({
  db,
  userId,
  ip,
  password,
  confirmWorkspaceSlugs,
}: { db: Db; userId: string; ip: string | null } & z.output<typeof deleteAccountInput>): Promise<void> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, passwordHash: true } });
  if (!(await verifyPassword({ hash: user.passwordHash, password }))) {
    throw new AppError("BAD_REQUEST", "The password is not correct.", { field: "password" });
  }
  const plan = await accountDeletionPlan({ db, userId });
  if (plan.blockers.length) {
    const names = plan.blockers.map((w) => `"${w.name}"`).join(", ");
    throw new AppError(
      "PRECONDITION_FAILED",
      `You are the last owner of ${names}, which other members still use. Make one of them an owner, or delete the workspace, then delete your account.`,
      { workspaces: plan.blockers.map((w) => w.slug) },
    );
  }
  const confirmed = new Set(confirmWorkspaceSlugs);
  const unconfirmed = plan.deletedWithIt.filter((w) => !confirmed.has(w.slug));
  if (unconfirmed.length) {
    throw new AppError(
      "PRECONDITION_FAILED",
      `Deleting your account also deletes ${unconfirmed.map((w) => `"${w.name}"`).join(", ")}. Confirm that to go on.`,
      { workspaces: unconfirmed.map((w) => w.slug) },
    );
  }
  const doomed = new Set(plan.deletedWithIt.map((w) => w.id));
  const left = await scoped(db, { userId }, (tx) =>
    tx.membership.findMany({ where: { userId, workspaceId: { notIn: [...doomed] } }, select: { workspaceId: true } }),
  );
  for (const { workspaceId } of left) {
    await scoped(db, { workspaceId }, (tx) =>
      recordAudit({
        tx,
        workspaceId,
        actor: { userId, email: user.email, ip },
        action: "user.account_deleted",
        target: { type: "user", id: userId },
        details: { email: user.email },
      }),
    );
  }
  // Memberships cascade; the database deletes each workspace whose last member this was.
  await retryOnDeadlock(() => db.user.delete({ where: { id: userId } }));
}
