import { scoped } from "@tributary/db";
import { describe, expect, it } from "vitest";
import { seedWorkspace } from "../../../../test/factories/seed.ts";
import { useTestEnvironment } from "../../../../test/support/environment.ts";
import { createInvite } from "../invites/create-invite.ts";
import { createWorkspace } from "./create-workspace.ts";
import { deleteWorkspace } from "./delete-workspace.ts";
import { findMyWorkspace, listMyWorkspaces } from "./list-my-workspaces.ts";
import { renameWorkspace } from "./rename-workspace.ts";

const env = useTestEnvironment();

describe("workspaces", () => {
  it("gives every workspace a unique slug, even for the same name", async () => {
    const { owner } = await seedWorkspace({ db: env.db });
    const first = await createWorkspace({ db: env.db, actor: owner.actor, name: "Shipping & Billing" });
    const second = await createWorkspace({ db: env.db, actor: owner.actor, name: "Shipping & Billing" });
    expect(first.slug).toBe("shipping-billing");
    expect(second.slug).toMatch(/^shipping-billing-[0-9a-f]{6}$/);
    const mine = await listMyWorkspaces({ db: env.db, userId: owner.id });
    expect(mine.map((w) => w.slug)).toEqual(expect.arrayContaining([first.slug, second.slug]));
  });

  it("refuses a chosen slug that is taken", async () => {
    const { owner } = await seedWorkspace({ db: env.db });
    await createWorkspace({ db: env.db, actor: owner.actor, name: "One", slug: "taken-slug" });
    await expect(
      createWorkspace({ db: env.db, actor: owner.actor, name: "Two", slug: "taken-slug" }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });

  it("renames, moves the slug, and records both in the audit log", async () => {
    const { workspace, owner } = await seedWorkspace({ db: env.db });
    const renamed = await renameWorkspace({
      db: env.db,
      workspaceId: workspace.id,
      actor: owner.actor,
      name: "Renamed",
      slug: `renamed-${workspace.id.slice(0, 8)}`,
    });
    expect(await findMyWorkspace({ db: env.db, userId: owner.id, slug: renamed.slug })).toMatchObject({
      name: "Renamed",
    });
    const events = await scoped(env.db, { workspaceId: workspace.id }, (tx) =>
      tx.auditEvent.findMany({ where: { action: "workspace.renamed" } }),
    );
    expect(events[0]?.details).toMatchObject({ from: { name: workspace.name }, to: { name: "Renamed" } });
  });

  it("deletes only after the slug is typed, with everything the workspace owns", async () => {
    const { workspace, owner } = await seedWorkspace({ db: env.db, roles: ["editor"] });
    await createInvite({
      db: env.db,
      mailer: null,
      appUrl: "http://localhost",
      workspaceId: workspace.id,
      actor: owner.actor,
      actorRole: "owner",
      email: "later@example.com",
      role: "viewer",
    });
    await expect(
      deleteWorkspace({ db: env.db, workspaceId: workspace.id, confirmSlug: "wrong" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await deleteWorkspace({ db: env.db, workspaceId: workspace.id, confirmSlug: workspace.slug });
    const left = await scoped(env.db, { workspaceId: workspace.id }, async (tx) => ({
      workspaces: await tx.workspace.count(),
      memberships: await tx.membership.count(),
      invites: await tx.invite.count(),
      audit: await tx.auditEvent.count(),
    }));
    expect(left).toEqual({ workspaces: 0, memberships: 0, invites: 0, audit: 0 });
  });
});
