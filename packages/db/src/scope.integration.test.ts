// scoped's snapshot option: every statement of the transaction sees the database as it was at its first.
import pg from "pg";
import { expect, it } from "vitest";
import { seedWorkspace } from "../../../test/factories/seed.ts";
import { useTestEnvironment } from "../../../test/support/environment.ts";
import { scoped } from "./scope.ts";

const env = useTestEnvironment();

it.each([
  { snapshot: true, seen: ["Before", "Before"] },
  { snapshot: false, seen: ["Before", "After"] },
])(
  "with snapshot $snapshot, a change committed between two reads is seen by the second: $seen",
  async ({ snapshot, seen }) => {
    const { workspace } = await seedWorkspace({ db: env.db, name: "Before" });
    const admin = new pg.Client({ connectionString: env.databaseUrl });
    await admin.connect();
    try {
      const names = await scoped(
        env.db,
        { workspaceId: workspace.id },
        async (tx) => {
          const read = async () => (await tx.workspace.findUniqueOrThrow({ where: { id: workspace.id } })).name;
          const first = await read();
          await admin.query("UPDATE workspaces SET name = 'After' WHERE id = $1", [workspace.id]);
          return [first, await read()];
        },
        { snapshot },
      );
      expect(names).toEqual(seen);
    } finally {
      await admin.end();
    }
  },
);
