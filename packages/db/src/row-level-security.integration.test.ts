import { describe, expect, it } from "vitest";
import { seedWorkspace } from "../../../test/factories/seed.ts";
import { useTestEnvironment } from "../../../test/support/environment.ts";
import { scoped } from "./scope.ts";

const env = useTestEnvironment();

describe("row-level security", () => {
  it("runs the app as tributary_app, which is neither superuser nor BYPASSRLS", async () => {
    const [role] = await env.db.$queryRaw<{ name: string; super: boolean; bypass: boolean }[]>`
      SELECT current_user::text AS name, rolsuper AS super, rolbypassrls AS bypass
      FROM pg_roles WHERE rolname = current_user`;
    expect(role).toEqual({ name: "tributary_app", super: false, bypass: false });
  });

  it("answers no rows to a raw query with no workspace set", async () => {
    await seedWorkspace({ db: env.db, roles: ["editor"] });
    const tables = ["workspaces", "memberships", "invites", "audit_events"];
    for (const table of tables) {
      const rows = await env.db.$queryRawUnsafe<unknown[]>(`SELECT * FROM "${table}"`);
      expect(rows, table).toEqual([]);
    }
  });

  it("shows a workspace's rows only inside its own scope", async () => {
    const a = await seedWorkspace({ db: env.db });
    const b = await seedWorkspace({ db: env.db });
    const seenFromA = await scoped(
      env.db,
      { workspaceId: a.workspace.id },
      (tx) => tx.$queryRaw<{ workspace_id: string }[]>`SELECT workspace_id::text FROM audit_events`,
    );
    expect(seenFromA.length).toBeGreaterThan(0);
    expect(seenFromA.every((row) => row.workspace_id === a.workspace.id)).toBe(true);
    const bFromA = await scoped(env.db, { workspaceId: a.workspace.id }, (tx) =>
      tx.workspace.findUnique({ where: { id: b.workspace.id } }),
    );
    expect(bFromA).toBeNull();
  });

  it("refuses to write a row into another workspace", async () => {
    const a = await seedWorkspace({ db: env.db });
    const b = await seedWorkspace({ db: env.db });
    await expect(
      scoped(env.db, { workspaceId: a.workspace.id }, (tx) =>
        tx.auditEvent.create({ data: { workspaceId: b.workspace.id, action: "workspace.renamed" } }),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it("keeps the audit log append-only", async () => {
    const a = await seedWorkspace({ db: env.db });
    await expect(
      scoped(env.db, { workspaceId: a.workspace.id }, (tx) => tx.auditEvent.deleteMany({ where: {} })),
    ).rejects.toThrow(/permission denied/);
  });

  it("does not carry one transaction's scope into the next use of the connection", async () => {
    const a = await seedWorkspace({ db: env.db });
    await scoped(env.db, { workspaceId: a.workspace.id }, (tx) => tx.workspace.count());
    const counts = await Promise.all(Array.from({ length: 10 }, () => env.db.workspace.count()));
    expect(counts).toEqual(Array(10).fill(0));
  });
});
