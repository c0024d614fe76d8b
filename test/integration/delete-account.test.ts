// Deleting one's account: refused while the last owner of a workspace others use (naming it); workspaces the
// user is alone in go with it once confirmed; shared ones keep their data and record the departure.
import { listAuditEvents } from "@tributary/core";
import { scoped } from "@tributary/db";
import { describe, expect, it } from "vitest";
import { seedWorkspace, TEST_PASSWORD } from "../factories/seed.ts";
import { callerFor } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";

const env = useTestEnvironment();

describe("deleting an account", () => {
  it("names a workspace it is the last owner of while others use it, then deletes what it owns alone", async () => {
    const alone = await seedWorkspace({ db: env.db, name: "Solo Lab" });
    const shared = await seedWorkspace({ db: env.db, name: "Team Space", roles: ["editor"] });
    const joined = await seedWorkspace({ db: env.db, name: "Their Space" });
    const user = alone.owner;
    const editor = shared.members.editor;
    if (!editor) throw new Error("no editor");
    // The user is the only owner of Team Space (with an editor) and a viewer of Their Space.
    await scoped(env.db, { workspaceId: shared.workspace.id }, async (tx) => {
      await tx.membership.create({ data: { workspaceId: shared.workspace.id, userId: user.id, role: "owner" } });
      await tx.membership.delete({
        where: { workspaceId_userId: { workspaceId: shared.workspace.id, userId: shared.owner.id } },
      });
    });
    await scoped(env.db, { workspaceId: joined.workspace.id }, (tx) =>
      tx.membership.create({ data: { workspaceId: joined.workspace.id, userId: user.id, role: "viewer" } }),
    );
    const caller = callerFor({ env, user });
    await expect(caller.account.deletionPlan()).resolves.toEqual({
      deletedWithIt: [{ id: alone.workspace.id, name: "Solo Lab", slug: alone.workspace.slug }],
      blockers: [{ id: shared.workspace.id, name: "Team Space", slug: shared.workspace.slug }],
    });
    await expect(
      caller.account.deleteAccount({ password: TEST_PASSWORD, confirmWorkspaceSlugs: [alone.workspace.slug] }),
    ).rejects.toThrow(/You are the last owner of "Team Space"/);

    await scoped(env.db, { workspaceId: shared.workspace.id }, (tx) =>
      tx.membership.update({
        where: { workspaceId_userId: { workspaceId: shared.workspace.id, userId: editor.id } },
        data: { role: "owner" },
      }),
    );
    await expect(
      caller.account.deleteAccount({ password: "wrong password", confirmWorkspaceSlugs: [] }),
    ).rejects.toThrow(/password is not correct/);
    await expect(caller.account.deleteAccount({ password: TEST_PASSWORD, confirmWorkspaceSlugs: [] })).rejects.toThrow(
      /also deletes "Solo Lab". Confirm/,
    );
    await caller.account.deleteAccount({ password: TEST_PASSWORD, confirmWorkspaceSlugs: [alone.workspace.slug] });

    expect(await env.db.user.findUnique({ where: { id: user.id } })).toBeNull();
    const remaining = await scoped(env.db, { workspaceId: alone.workspace.id }, (tx) =>
      tx.workspace.findUnique({ where: { id: alone.workspace.id } }),
    );
    expect(remaining).toBeNull();
    for (const workspaceId of [shared.workspace.id, joined.workspace.id]) {
      const { events } = await listAuditEvents({ db: env.db, workspaceId, limit: 5 });
      expect(events[0]).toMatchObject({ action: "user.account_deleted", actorEmail: user.email });
    }
  });
});
