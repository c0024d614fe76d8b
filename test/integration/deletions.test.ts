// Deletions: what a flow's or a workspace's deletion takes with it, and a deletion that deadlocks.
//
// The transaction log's rows (runs, their steps, their messages' keys) are not checked against a foreign key
// row by row (see the migration log_without_row_checks): these check that nothing of a deleted flow, workspace
// or run is left behind, also where a worker stores a run's steps while the run is being deleted.
import { randomUUID } from "node:crypto";
import {
  commitRuns,
  deleteFlow,
  deleteWorkspace,
  type FinishedRun,
  pickUpRuns,
  recordFinishedRuns,
} from "@tributary/core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { commitsOf, finishedRuns } from "../support/finished-runs.ts";
import { graph, publishedFlow } from "../support/run-helpers.ts";

const env = useTestEnvironment();

/** Reads past row-level security (the connecting user owns the tables): it sees rows left without a workspace. */
let admin: pg.Client;
beforeAll(async () => {
  admin = new pg.Client({ connectionString: env.databaseUrl });
  await admin.connect();
});
afterAll(async () => {
  await admin.end();
});

describe("a deletion leaves nothing of the runs behind", () => {
  it("a flow takes its runs, their steps and their messages' keys with it; a workspace takes all of its own", async () => {
    const seeded = await seedWorkspace({ db: env.db });
    const workspaceId = seeded.workspace.id;
    const [kept, deleted] = [await flowOf(seeded), await flowOf(seeded)] as [Flow, Flow];
    const runsOf = { kept: finishedRuns(kept, 3, { keyed: true }), deleted: finishedRuns(deleted, 3, { keyed: true }) };
    await recordFinishedRuns({ db: env.db, workspaceId, runs: [...runsOf.kept, ...runsOf.deleted] });
    const idsOf = (runs: FinishedRun[]) => runs.map((run) => run.runId);
    expect(await rowsOf(idsOf(runsOf.deleted))).toEqual({ runs: 3, steps: 3, keys: 3 });

    await deleteFlow({ db: env.db, workspaceId, actor: seeded.owner.actor, flowId: deleted.id });
    expect(await rowsOf(idsOf(runsOf.deleted))).toEqual({ runs: 0, steps: 0, keys: 0 });
    expect(await rowsOf(idsOf(runsOf.kept))).toEqual({ runs: 3, steps: 3, keys: 3 });

    await deleteWorkspace({ db: env.db, workspaceId, confirmSlug: seeded.workspace.slug });
    expect(await rowsOf(idsOf(runsOf.kept))).toEqual({ runs: 0, steps: 0, keys: 0 });
  });

  it("a worker's steps for a run deleted while they are committed are not stored", async () => {
    const seeded = await seedWorkspace({ db: env.db });
    const workspaceId = seeded.workspace.id;
    const flow = await flowOf(seeded);
    const [run] = finishedRuns(flow, 1) as [FinishedRun];
    await admin.query(
      `INSERT INTO runs (id, workspace_id, flow_id, flow_version_id, trigger, trigger_step_id, message_id, input)
       VALUES ($1, $2, $3, $4, 'manual', 'start', $5, $6)`,
      [run.runId, workspaceId, flow.id, flow.versionId, run.message.id, JSON.stringify(run.message)],
    );
    const owner = randomUUID();
    await pickUpRuns({ db: env.db, workspaceId, runIds: [run.runId], owner, leaseMs: 60_000 });

    // The run is deleted (its flow's deletion, say) but not yet committed when the worker commits its steps.
    const deleter = new pg.Client({ connectionString: env.databaseUrl });
    await deleter.connect();
    try {
      await deleter.query("BEGIN");
      await deleter.query("DELETE FROM runs WHERE id = $1", [run.runId]);
      const commit = commitRuns({
        db: env.db,
        workspaceId,
        commits: commitsOf([run], owner),
      });
      await expect
        .poll(
          async () =>
            (
              await admin.query(
                `SELECT count(*)::int AS waiting FROM pg_stat_activity
                  WHERE datname = current_database() AND wait_event_type = 'Lock'`,
              )
            ).rows[0].waiting,
          { timeout: 30_000, interval: 50 },
        )
        .toBe(1);
      await deleter.query("COMMIT");
      expect((await commit).size).toBe(0);
      expect(await rowsOf([run.runId])).toEqual({ runs: 0, steps: 0, keys: 0 });
    } finally {
      await deleter.end();
    }
  }, 60_000);
});

type Flow = { id: string; versionId: string };

async function flowOf({ workspace, owner }: SeededWorkspace): Promise<Flow> {
  const id = await publishedFlow({
    db: env.db,
    workspaceId: workspace.id,
    actor: owner.actor,
    graph: graph([["start", "trigger.manual"]], []),
  });
  const { rows } = await admin.query<{ version: string }>(
    "SELECT current_version_id AS version FROM flows WHERE id = $1",
    [id],
  );
  return { id, versionId: rows[0]?.version ?? "" };
}

/** What is left of the runs, whatever workspace it would belong to. */
async function rowsOf(runIds: string[]): Promise<{ runs: number; steps: number; keys: number }> {
  const count = async (sql: string) => (await admin.query<{ n: number }>(sql, [runIds])).rows[0]?.n ?? 0;
  return {
    runs: await count("SELECT count(*)::int AS n FROM runs WHERE id = ANY($1::uuid[])"),
    steps: await count("SELECT count(*)::int AS n FROM step_runs WHERE run_id = ANY($1::uuid[])"),
    keys: await count("SELECT count(*)::int AS n FROM trigger_idempotency_keys WHERE run_id = ANY($1::uuid[])"),
  };
}

// Deleting a workspace while another transaction holds rows it owns and waits for the workspace itself — as a
// transaction storing the workspace's rows may — deadlocks; the deletion is the transaction Postgres aborts, and
// it runs again once the other has ended.
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
