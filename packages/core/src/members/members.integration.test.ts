import { scoped } from "@tributary/db";
import { describe, expect, it } from "vitest";
import { seedWorkspace } from "../../../../test/factories/seed.ts";
import { useTestEnvironment } from "../../../../test/support/environment.ts";
import { AppError } from "../errors/app-error.ts";
import { changeRole } from "./change-role.ts";
import { listMembers } from "./list-members.ts";
import { removeMember } from "./remove-member.ts";

const env = useTestEnvironment();

const rejection = (work: Promise<unknown>) =>
  work.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => {
      if (!(error instanceof AppError)) throw error;
      return error;
    },
  );

describe("members", () => {
  it("lists members with their roles", async () => {
    const { workspace, owner, members } = await seedWorkspace({ db: env.db, roles: ["editor", "viewer"] });
    const list = await listMembers({ db: env.db, workspaceId: workspace.id });
    expect(list.map((m) => [m.email, m.role])).toEqual([
      [owner.email, "owner"],
      [members.editor?.email, "editor"],
      [members.viewer?.email, "viewer"],
    ]);
  });

  it("changes a role and records who did it", async () => {
    const { workspace, owner, members } = await seedWorkspace({ db: env.db, roles: ["editor"] });
    const editor = members.editor ?? raise();
    await changeRole({
      db: env.db,
      workspaceId: workspace.id,
      actor: owner.actor,
      actorRole: "owner",
      userId: editor.id,
      role: "viewer",
    });
    const list = await listMembers({ db: env.db, workspaceId: workspace.id });
    expect(list.find((m) => m.userId === editor.id)?.role).toBe("viewer");
  });

  it("never leaves a workspace without an owner", async () => {
    const { workspace, owner } = await seedWorkspace({ db: env.db });
    const demote = await rejection(
      changeRole({
        db: env.db,
        workspaceId: workspace.id,
        actor: owner.actor,
        actorRole: "owner",
        userId: owner.id,
        role: "admin",
      }),
    );
    expect(demote.code).toBe("PRECONDITION_FAILED");
    const leave = await rejection(
      removeMember({ db: env.db, workspaceId: workspace.id, actor: owner.actor, actorRole: "owner", userId: owner.id }),
    );
    expect(leave.message).toMatch(/only owner/);
  });

  it("never lets a workspace outlive its members: a deleted user's sole workspaces go, ownerless ones are refused", async () => {
    const alone = await seedWorkspace({ db: env.db });
    const shared = await seedWorkspace({ db: env.db, roles: ["owner"] });
    const staffed = await seedWorkspace({ db: env.db, roles: ["admin"] });
    const exists = (workspaceId: string) =>
      scoped(env.db, { workspaceId }, (tx) => tx.workspace.count({ where: { id: workspaceId } }));
    // The only member: the workspace goes with the user, with everything it owns.
    await env.db.user.delete({ where: { id: alone.owner.id } });
    expect(await exists(alone.workspace.id)).toBe(0);
    // Another owner remains: the workspace stays, theirs.
    await env.db.user.delete({ where: { id: shared.owner.id } });
    expect(await exists(shared.workspace.id)).toBe(1);
    // Members but no owner would remain: refused, naming the workspace.
    await expect(env.db.user.delete({ where: { id: staffed.owner.id } })).rejects.toThrow(
      `Workspace "${staffed.workspace.name}" (${staffed.workspace.slug}) would be left without an owner`,
    );
    expect(await exists(staffed.workspace.id)).toBe(1);
    expect(await env.db.user.count({ where: { id: staffed.owner.id } })).toBe(1);
  });

  it("lets one of two owners step down, but not both at once", async () => {
    const { workspace, owner, members } = await seedWorkspace({ db: env.db, roles: ["owner"] });
    const second = members.owner ?? raise();
    const results = await Promise.allSettled([
      changeRole({
        db: env.db,
        workspaceId: workspace.id,
        actor: owner.actor,
        actorRole: "owner",
        userId: owner.id,
        role: "admin",
      }),
      changeRole({
        db: env.db,
        workspaceId: workspace.id,
        actor: second.actor,
        actorRole: "owner",
        userId: second.id,
        role: "admin",
      }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const owners = (await listMembers({ db: env.db, workspaceId: workspace.id })).filter((m) => m.role === "owner");
    expect(owners).toHaveLength(1);
  });

  it("does not let an admin touch owners or make owners", async () => {
    const { workspace, owner, members } = await seedWorkspace({ db: env.db, roles: ["admin", "viewer"] });
    const admin = members.admin ?? raise();
    const viewer = members.viewer ?? raise();
    const asAdmin = { db: env.db, workspaceId: workspace.id, actor: admin.actor, actorRole: "admin" as const };
    expect((await rejection(changeRole({ ...asAdmin, userId: owner.id, role: "viewer" }))).code).toBe("FORBIDDEN");
    expect((await rejection(changeRole({ ...asAdmin, userId: viewer.id, role: "owner" }))).code).toBe("FORBIDDEN");
    expect((await rejection(removeMember({ ...asAdmin, userId: owner.id }))).code).toBe("FORBIDDEN");
    await changeRole({ ...asAdmin, userId: viewer.id, role: "editor" });
    await removeMember({ ...asAdmin, userId: viewer.id });
    expect((await listMembers({ db: env.db, workspaceId: workspace.id })).map((m) => m.role)).toEqual([
      "owner",
      "admin",
    ]);
  });

  it("lets a member leave", async () => {
    const { workspace, members } = await seedWorkspace({ db: env.db, roles: ["operator"] });
    const operator = members.operator ?? raise();
    await removeMember({
      db: env.db,
      workspaceId: workspace.id,
      actor: operator.actor,
      actorRole: "operator",
      userId: operator.id,
    });
    const list = await listMembers({ db: env.db, workspaceId: workspace.id });
    expect(list.map((m) => m.userId)).not.toContain(operator.id);
  });
});

function raise(): never {
  throw new Error("seed did not create the member");
}
