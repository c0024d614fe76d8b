// The hot path's statements name their rows by key (run ids, idempotency keys), and must read about as many
// rows as they name however many the workspace holds — also before Postgres has statistics of the tables,
// when a planner that takes the workspace to be small reads every run (or key) it holds through the index
// that row-level security's predicate invites, on every batch. Counted with Postgres's own counters of the
// index entries and rows each transaction read, added as a last statement to the statements' round trip.
// They are also all prepared statements, planned once per connection: a statement sent as text is parsed and
// planned again on every batch (reading new runs that way was ≈ a tenth of Postgres's CPU in run-throughput).
import { randomUUID } from "node:crypto";
import {
  commitRuns,
  createDb,
  type Db,
  type FinishedRun,
  finishNewRuns,
  keysHeld,
  pickUpRuns,
  readNewRuns,
  recordFinishedRuns,
  renewRunLeases,
} from "@tributary/core";
import type { SqlPool } from "@tributary/db";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { commitsOf, finishedRuns } from "../support/finished-runs.ts";
import { graph, publishedFlow } from "../support/run-helpers.ts";

const env = useTestEnvironment();
const HELD = 3_000;
const TABLES = ["runs", "step_runs", "trigger_idempotency_keys"];
let seeded: SeededWorkspace;
let flow: { id: string; versionId: string };
let runIds: string[];
let admin: pg.Client;
/** One connection that took runs up while the workspace had none (a worker's, on a new installation). */
let early: Db;

// Index entries and heap rows this connection read, since its counters were last flushed, from the tables above and their indexes.
const READ_SO_FAR = `SELECT coalesce(sum(pg_stat_get_xact_tuples_returned(c.oid)), 0)::int AS read
   FROM pg_class c LEFT JOIN pg_index i ON i.indexrelid = c.oid
  WHERE c.relname IN (${TABLES.map((table) => `'${table}'`).join(", ")})
     OR i.indrelid IN (${TABLES.map((table) => `'${table}'::regclass`).join(", ")})`;

/**
 * A Db whose plain SQL round trips also report how many rows they read (`read`: all of them together, NaN
 * before the first) and the statements they sent that Postgres parses and plans anew (`planned`: all but the
 * workspace scope and EXECUTEs).
 */
function countingDb(pool: SqlPool): { db: Db; read: () => number; planned: () => string[] } {
  let read = Number.NaN;
  const planned: string[] = [];
  const counting = {
    async connect() {
      const client = await pool.connect();
      return new Proxy(client, {
        get(target, property, receiver) {
          if (property !== "query") return Reflect.get(target, property, receiver);
          // The statements' round trip is a query object (pg's Submittable), answered by its "end" or "error" event.
          return async (query: unknown, ...rest: unknown[]) => {
            const text = query instanceof pg.Query ? (query as { text?: unknown }).text : undefined;
            if (!(query instanceof pg.Query) || typeof text !== "string" || !text.includes("set_config")) {
              return (target.query as (...args: unknown[]) => unknown)(query, ...rest);
            }
            planned.push(
              ...text
                .split(";\n")
                .filter((statement) => !/^(SELECT set_config\(|SET LOCAL |EXECUTE )/.test(statement.trim())),
            );
            try {
              // Postgres flushes a connection's counters now and then, not at each transaction's end: the
              // round trip's own reads are the difference.
              const results = (await target.query(
                `${READ_SO_FAR};\n${text};\n${READ_SO_FAR}`,
              )) as unknown as pg.QueryResult[];
              const own = Number(results.at(-1)?.rows[0]?.read) - Number(results[0]?.rows[0]?.read);
              read = (Number.isNaN(read) ? 0 : read) + own;
              query.emit("end", results.slice(1, -1));
            } catch (error) {
              query.emit("error", error);
            }
          };
        },
      });
    },
  };
  return { db: { sql: counting } as unknown as Db, read: () => read, planned: () => planned };
}

beforeAll(async () => {
  seeded = await seedWorkspace({ db: env.db });
  const flowId = await publishedFlow({
    db: env.db,
    workspaceId: seeded.workspace.id,
    actor: seeded.owner.actor,
    graph: graph(
      [
        ["start", "trigger.manual"],
        ["price", "data.transform", { expression: "{ 'total': qty * 3 }" }],
      ],
      [["start", "price"]],
    ),
  });
  // The test's own database: its tables stay without statistics, as in a new installation.
  admin = new pg.Client({ connectionString: env.databaseUrl });
  await admin.connect();
  for (const table of TABLES) await admin.query(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
  const version = await admin.query<{ id: string }>("SELECT current_version_id AS id FROM flows WHERE id = $1", [
    flowId,
  ]);
  flow = { id: flowId, versionId: version.rows[0]?.id ?? "" };
  // More calls of each hot statement than Postgres plans for the values before it weighs a plan made once
  // for any values, all while the workspace has no runs, on one connection.
  early = createDb({ url: env.databaseUrl, maxConnections: 1 });
  for (let call = 0; call < 7; call++) await callHotStatements(early);
  const ids = await admin.query<{ id: string }>(
    `INSERT INTO runs (id, workspace_id, flow_id, flow_version_id, status, trigger, trigger_step_id, message_id, input,
                       finished_at)
     SELECT gen_random_uuid(), $1, $2, $3, 'succeeded', 'manual', 'start', 'm' || n, '{}', now()
       FROM generate_series(1, ${HELD}) AS n
     RETURNING id`,
    [seeded.workspace.id, flow.id, flow.versionId],
  );
  runIds = ids.rows.map((row) => row.id);
  await admin.query(
    `INSERT INTO step_runs (workspace_id, id, run_id, activation_key, step_id, step_type, status, started_at,
                           finished_at, duration_ms)
     SELECT $1, gen_random_uuid(), id, 'price', 'price', 'data.transform', 'succeeded', now(), now(), 1
       FROM unnest($2::uuid[]) AS id`,
    [seeded.workspace.id, runIds],
  );
  await admin.query(
    `INSERT INTO trigger_idempotency_keys (workspace_id, flow_id, trigger_step_id, key, body_hash, run_id, message_id)
     SELECT $1, $2, 'start', 'key-' || n, '', $3, 'm'
       FROM generate_series(1, ${HELD}) AS n`,
    [seeded.workspace.id, flow.id, runIds[0]],
  );
}, 120_000);

afterAll(async () => {
  await early?.$disconnect();
  await admin?.end();
});

// Each check on two connections: the shared pool's, whose statements are planned on full tables, and one that
// took the hot path while the workspace had no runs (the plans Postgres may keep from then).
describe.each([
  { connection: "planned on full tables", pool: () => env.db.sql },
  { connection: "that planned them while the workspace had no runs", pool: () => early.sql },
])("statements that name their rows by key, on a connection $connection", ({ pool }) => {
  it("look idempotency keys up one by one, not through every key of the workspace", async () => {
    const counting = countingDb(pool());
    const held = await keysHeld({
      db: counting.db,
      workspaceId: seeded.workspace.id,
      keys: [
        { flowId: flow.id, triggerStepId: "start", key: "key-7" },
        { flowId: flow.id, triggerStepId: "start", key: "not-held" },
      ],
    });
    expect(held).toEqual([true, false]);
    expect(counting.read()).toBeLessThan(20);
    expect(counting.planned()).toEqual([]);
  });

  it("read runs named by id by primary key, with a probe of their steps each", async () => {
    const ended = countingDb(pool());
    // They ended long ago: none is new.
    expect(
      (await readNewRuns({ db: ended.db, workspaceId: seeded.workspace.id, runIds: runIds.slice(0, 20) })).size,
    ).toBe(0);
    expect(ended.read()).toBeLessThan(200);
    expect(ended.planned()).toEqual([]);

    const fresh = await queuedRuns(10);
    const queued = countingDb(pool());
    expect((await readNewRuns({ db: queued.db, workspaceId: seeded.workspace.id, runIds: fresh })).size).toBe(10);
    expect(queued.read()).toBeLessThan(200);
    expect(queued.planned()).toEqual([]);
  });

  it("store finished runs and roll their statistics up reading only those runs, their steps and keys", async () => {
    const counting = countingDb(pool());
    const runs = withDroppable(finishedRuns(flow, 10, { keyed: true }));
    await recordFinishedRuns({ db: counting.db, workspaceId: seeded.workspace.id, runs });
    expect(await countOf(runs.map((run) => run.runId))).toBe(10);
    expect(counting.read()).toBeLessThan(200);
    expect(counting.planned()).toEqual([]);
  });

  it("store new runs run whole reading only those runs", async () => {
    const fresh = await queuedRuns(10);
    const counting = countingDb(pool());
    const stored = await finishNewRuns({
      db: counting.db,
      workspaceId: seeded.workspace.id,
      runs: finishedRuns(flow, 10, { idOf: (i) => fresh[i] as string }),
    });
    expect(stored.size).toBe(10);
    expect(counting.read()).toBeLessThan(200);
    expect(counting.planned()).toEqual([]);
  });

  it("take runs up, renew their leases and commit their ends reading only those runs", async () => {
    const fresh = await queuedRuns(10);
    const owner = randomUUID();
    const pickup = countingDb(pool());
    const picked = await pickUpRuns({
      db: pickup.db,
      workspaceId: seeded.workspace.id,
      // One of them ended long ago: the pickup asks, in a second round trip, which of those it missed are open.
      runIds: [...fresh, runIds[0] as string],
      owner,
      leaseMs: 60_000,
    });
    expect([...picked.values()].filter((run) => typeof run === "object")).toHaveLength(10);
    expect(picked.get(runIds[0] as string)).toBe("gone");
    // A plan made once for any values on the empty table, and kept, read every run of the workspace through
    // another index, per run taken up: to find the run, and again to find the run that called it.
    expect(pickup.read()).toBeLessThan(200);
    expect(pickup.planned()).toEqual([]);

    const renewal = countingDb(pool());
    const held = await renewRunLeases({
      db: renewal.db,
      workspaceId: seeded.workspace.id,
      leases: fresh.map((runId) => ({ runId, owner })),
      leaseMs: 60_000,
    });
    expect(held.size).toBe(10);
    expect(renewal.read()).toBeLessThan(200);
    expect(renewal.planned()).toEqual([]);

    const commit = countingDb(pool());
    const committed = await commitRuns({
      db: commit.db,
      workspaceId: seeded.workspace.id,
      commits: commitsOf(finishedRuns(flow, 10, { idOf: (i) => fresh[i] as string }), owner),
    });
    expect(committed.size).toBe(10);
    expect(commit.read()).toBeLessThan(200);
    expect(commit.planned()).toEqual([]);
  });
});

/** Each statement of the hot path once, on runs and keys the workspace does not hold (but for the runs it records). */
async function callHotStatements(db: Db) {
  const workspaceId = seeded.workspace.id;
  const owner = randomUUID();
  const missing = [randomUUID()];
  await pickUpRuns({ db, workspaceId, runIds: missing, owner, leaseMs: 60_000 });
  await readNewRuns({ db, workspaceId, runIds: missing });
  await renewRunLeases({ db, workspaceId, leases: missing.map((runId) => ({ runId, owner })), leaseMs: 60_000 });
  await commitRuns({
    db,
    workspaceId,
    commits: commitsOf(finishedRuns(flow, 1, { idOf: () => missing[0] as string }), owner),
  });
  await finishNewRuns({ db, workspaceId, runs: finishedRuns(flow, 1, { idOf: () => missing[0] as string }) });
  await recordFinishedRuns({ db, workspaceId, runs: withDroppable(finishedRuns(flow, 2, { keyed: true })) });
  await keysHeld({ db, workspaceId, keys: [{ flowId: flow.id, triggerStepId: "start", key: "not-held" }] });
}

const countOf = async (ids: string[]) =>
  (await admin.query("SELECT count(*)::int AS n FROM runs WHERE id = ANY($1::uuid[])", [ids])).rows[0]?.n;

/** The runs, the second half of them stored only if they hold their key (a webhook's quick runs). */
function withDroppable(runs: FinishedRun[]): FinishedRun[] {
  return runs.map((run, i) =>
    i < runs.length / 2 || !run.idempotency ? run : { ...run, idempotency: { ...run.idempotency, dropOnClash: true } },
  );
}

/** New runs of the flow: queued, never taken up. */
async function queuedRuns(count: number): Promise<string[]> {
  const { rows } = await admin.query<{ id: string }>(
    `INSERT INTO runs (id, workspace_id, flow_id, flow_version_id, trigger, trigger_step_id, message_id, input)
     SELECT gen_random_uuid(), $1, $2, $3, 'manual', 'start', 'new-' || n, '{"id":"m","headers":[],"body":{}}'
       FROM generate_series(1, ${count}) AS n
     RETURNING id`,
    [seeded.workspace.id, flow.id, flow.versionId],
  );
  return rows.map((row) => row.id);
}
