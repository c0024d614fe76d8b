// The Runs page at a million runs: the list query (newest first, keyset cursor) with each filter, its time
// on the first page and on a page deep in the log, beside the same query on ten thousand runs (the ratio
// shows whether it stays flat), and the plan Postgres chose (indexes, not scans).
//   node test/bench/runs-list.bench.ts [runs]
import { listRuns } from "@tributary/core";
import { scoped } from "@tributary/db";
import pg from "pg";
import { seedWorkspace } from "../factories/seed.ts";
import { createTestDatabase, ensureTemplateDatabase } from "../support/database.ts";
import { graph, publishedFlow } from "../support/run-helpers.ts";
import { createDb } from "./bench-support.ts";

const RUNS = Number(process.argv[2] ?? 1_000_000);
const SMALL = 10_000;

const database = await createTestDatabase({ template: await ensureTemplateDatabase() });
const db = createDb({ url: database.url, maxConnections: 4 });
const admin = new pg.Client({ connectionString: database.url });
await admin.connect();

async function fill(workspaceId: string, flowIds: string[], count: number) {
  const versions = await admin.query<{ id: string; flow_id: string }>(
    "SELECT id, flow_id FROM flow_versions WHERE flow_id = ANY($1::uuid[])",
    [flowIds],
  );
  const started = performance.now();
  // UUIDv7-like ids that grow with time, so the keyset order is the time order, as in production.
  await admin.query(
    `INSERT INTO runs (id, workspace_id, flow_id, flow_version_id, trigger, trigger_step_id, message_id, input, status, queued_at, started_at, finished_at)
     SELECT (lpad(to_hex((extract(epoch FROM t) * 1000)::bigint), 12, '0') || '7000' || lpad(to_hex(i % 65536), 4, '0') || lpad(to_hex(i), 12, '0'))::uuid,
            $1::uuid, v.flow_id, v.id,
            CASE WHEN i % 10 = 0 THEN 'schedule' ELSE 'webhook' END, 'hook', 'msg-' || i,
            jsonb_build_object('id', 'msg-' || i, 'headers', jsonb_build_array(jsonb_build_object('name', 'x-order', 'value', 'o' || (i % 5000))), 'body', jsonb_build_object('order', i, 'customer', 'customer ' || (i % 997))),
            (CASE WHEN i % 50 = 0 THEN 'failed' ELSE 'succeeded' END)::run_status, t, t, t + interval '40 ms'
     FROM generate_series(1, $2::int) AS i
     CROSS JOIN LATERAL (SELECT now() - interval '29 days' + (i * interval '2 seconds') AS t) AS moment
     CROSS JOIN LATERAL (SELECT * FROM unnest($3::uuid[], $4::uuid[]) AS x(id, flow_id) OFFSET (i % $5::int) LIMIT 1) AS v`,
    [workspaceId, count, versions.rows.map((v) => v.id), versions.rows.map((v) => v.flow_id), versions.rows.length],
  );
  await admin.query("ANALYZE runs");
  return (performance.now() - started) / 1000;
}

async function timed<T>(work: () => Promise<T>, repeat = 5): Promise<{ ms: number; result: T }> {
  let result = await work();
  const started = performance.now();
  for (let i = 1; i < repeat; i++) result = await work();
  return { ms: (performance.now() - started) / (repeat - 1), result };
}

try {
  const big = await seedWorkspace({ db, name: "Big" });
  const small = await seedWorkspace({ db, name: "Small" });
  const flowsOf = async (seeded: typeof big) =>
    Promise.all(
      [1, 2, 3, 4].map((n) =>
        publishedFlow({
          db,
          workspaceId: seeded.workspace.id,
          actor: seeded.owner.actor,
          name: `flow ${n}`,
          graph: graph([["hook", "trigger.webhook", { path: `p${n}` }]], []),
        }),
      ),
    );
  const bigFlows = await flowsOf(big);
  const smallFlows = await flowsOf(small);
  console.log(`Filling ${RUNS.toLocaleString()} runs…`);
  const fillSeconds = await fill(big.workspace.id, bigFlows, RUNS);
  await fill(small.workspace.id, smallFlows, SMALL);
  console.log(`filled in ${fillSeconds.toFixed(0)} s`);

  const cases: [string, Record<string, unknown>][] = [
    ["newest 50", {}],
    ["by flow", { flowId: 0 }],
    ["failed only", { status: "failed" }],
    ["trigger schedule", { trigger: "schedule" }],
    ["by message id", { messageId: "msg-4242" }],
    ["header x-order = o42", { header: { name: "x-order", value: "o42" } }],
    ["last 24 h", { from: new Date(Date.now() - 24 * 3600_000) }],
    ["text 'customer 7'", { text: "customer 7" }],
  ];
  console.log(`\nRuns list, ${RUNS.toLocaleString()} runs vs ${SMALL.toLocaleString()} (mean of 4 calls)`);
  for (const [name, filter] of cases) {
    const row: string[] = [];
    for (const [seeded, flows] of [
      [big, bigFlows],
      [small, smallFlows],
    ] as const) {
      const input = { ...filter, ...(filter.flowId === 0 ? { flowId: flows[0] } : {}), limit: 50 };
      const first = await timed(() => listRuns({ db, workspaceId: seeded.workspace.id, ...input }));
      // A page deep in the log: follow the cursor 20 pages.
      let cursor = first.result.nextCursor;
      for (let page = 0; page < 20 && cursor; page++) {
        cursor = (await listRuns({ db, workspaceId: seeded.workspace.id, ...input, cursor })).nextCursor;
      }
      const deep = cursor
        ? await timed(() => listRuns({ db, workspaceId: seeded.workspace.id, ...input, cursor: cursor ?? undefined }))
        : { ms: Number.NaN };
      row.push(`${first.ms.toFixed(1)} ms first, ${Number.isNaN(deep.ms) ? "–" : `${deep.ms.toFixed(1)} ms`} page 21`);
    }
    console.log(`${name.padEnd(22)} ${row[0]}   | small: ${row[1]}`);
  }

  // The plans Postgres chose for the big workspace, as the app runs them (row-level security on).
  const explain = async (label: string, where: string, params: unknown[]) => {
    const plan = await scoped(db, { workspaceId: big.workspace.id }, (tx) =>
      tx.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(
        `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id FROM runs WHERE workspace_id = $1::uuid ${where} ORDER BY id DESC LIMIT 51`,
        big.workspace.id,
        ...params,
      ),
    );
    console.log(`\nPlan, ${label}:\n${plan.map((line) => `  ${line["QUERY PLAN"]}`).join("\n")}`);
  };
  await explain("newest first", "", []);
  await explain("by flow", "AND flow_id = $2::uuid", [bigFlows[0]]);
  await explain("failed only", "AND status = 'failed'", []);
} finally {
  await admin.end();
  await db.$disconnect();
  await database.drop();
}
