// Generated from the router itself: every procedure, called as every role, must be refused exactly when the
// permission matrix says so. A new procedure without a permission check fails the "declares" test.
import { ACTIONS, can, ROLES } from "@tributary/core";
import { describe, expect, it } from "vitest";
import { seedWorkspace } from "../../../test/factories/seed.ts";
import { callerFor, outcome, procedureAt } from "../../../test/support/api-caller.ts";
import { useTestEnvironment } from "../../../test/support/environment.ts";
import { listProcedures } from "../../../test/support/procedures.ts";

const env = useTestEnvironment();

const procedures = listProcedures();

// Procedures outside any workspace: public ones, and ones about the signed-in user themself.
const OUTSIDE_WORKSPACES = [
  "auth.signUp",
  "auth.previewInvite",
  "auth.requestPasswordReset",
  "auth.checkPasswordResetLink",
  "auth.resetPassword",
  "auth.verifyEmail",
  "account.me",
  "account.changePassword",
  "account.signOutEverywhere",
  "account.keepDemo",
  "account.emailStatus",
  "account.resendVerification",
  "account.changeEmail",
  "account.deletionPlan",
  "account.deleteAccount",
  "account.twoFactorStatus",
  "account.startTwoFactor",
  "account.confirmTwoFactor",
  "account.disableTwoFactor",
  "exports.progress",
  "workspaces.list",
  "workspaces.bySlug",
  "workspaces.create",
  "invites.accept",
  "flows.palette",
  "connections.types",
];

describe("permission matrix", () => {
  it("every procedure declares the action it needs, or is one of the few outside workspaces", () => {
    const undeclared = procedures.filter((p) => !p.action).map((p) => p.path);
    expect(undeclared.sort()).toEqual([...OUTSIDE_WORKSPACES].sort());
    for (const { action } of procedures) if (action) expect(Object.keys(ACTIONS)).toContain(action);
  });

  const cases = procedures.flatMap(({ path, action }) =>
    action ? ROLES.map((role) => ({ path, action, role, allowed: can(role, action) })) : [],
  );

  it.each(cases)("$path as $role: allowed=$allowed", async ({ path, role, allowed }) => {
    const seeded = await seedWorkspace({ db: env.db, roles: role === "owner" ? [] : [role] });
    const user = role === "owner" ? seeded.owner : seeded.members[role];
    const call = procedureAt(callerFor({ env, user: user ?? null }), path);
    // Only the workspace is given: a permitted call goes on to validate the rest of its input (or runs),
    // a refused one stops at the permission check.
    const code = await outcome(call({ workspaceId: seeded.workspace.id }));
    if (allowed) expect(["OK", "BAD_REQUEST", "PRECONDITION_FAILED"]).toContain(code);
    else expect(code).toBe("FORBIDDEN");
  });

  it.each(procedures.filter((p) => p.action))("$path refuses anonymous callers", async ({ path }) => {
    const seeded = await seedWorkspace({ db: env.db });
    const code = await outcome(procedureAt(callerFor({ env, user: null }), path)({ workspaceId: seeded.workspace.id }));
    expect(code).toBe("UNAUTHORIZED");
  });
});
