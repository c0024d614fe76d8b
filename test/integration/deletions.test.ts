// Deleting a workspace while another transaction holds rows it owns and waits for the workspace itself — as
// a worker committing the workspace's runs does — deadlocks; the deletion is the transaction Postgres aborts,
// and it runs again once the other has ended.
import { deleteWorkspace } from "@tributary/core";
import pg from "pg";
import { expect, it } from "vitest";
import { seedWorkspace } from "../factories/seed.ts";
import { useTestEnvironment } from "../support/environment.ts";

const env = useTestEnvironment();

it("deletes a workspace on a second try when its first deadlocked with a transaction holding its rows", async () => {
  const { workspace } = await seedWorkspace({ db: env.db });
  const other = new pg.Client({ connectionString: env.databaseUrl });
  const observer = new pg.Client({ connectionString: env.databaseUrl });
  await Promise.all([other.connect(), observer.connect()]);
  try {
    // Postgres aborts the transaction whose deadlock check runs first: the deletion's, after the default second.
    await other.query("SET deadlock_timeout = '10s'");
    await other.query("BEGIN");
    await other.query("SELECT 1 FROM memberships WHERE workspace_id = $1 FOR UPDATE", [workspace.id]);
    const deletion = deleteWorkspace({ db: env.db, workspaceId: workspace.id, confirmSlug: workspace.slug });
    // The deletion holds the workspace's row and waits for the membership, its cascade's next row.
    await expect
      .poll(
        async () =>
          (
            await observer.query(
              `SELECT count(*)::int AS waiting FROM pg_stat_activity
               WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE 'DELETE%workspaces%'`,
            )
          ).rows[0].waiting,
        { timeout: 30_000, interval: 50 },
      )
      .toBe(1);
    // Now the other transaction waits for the workspace: a cycle.
    await other.query("SELECT 1 FROM workspaces WHERE id = $1 FOR KEY SHARE", [workspace.id]);
    await other.query("COMMIT");
    await deletion;
    const left = await observer.query("SELECT id FROM workspaces WHERE id = $1", [workspace.id]);
    expect(left.rows).toEqual([]);
  } finally {
    await Promise.all([other.end(), observer.end()]);
  }
}, 60_000);
