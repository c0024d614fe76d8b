// Loops at scale: one run loops 1,000 and then 10,000 items through a two-step sub-path (transform → branch),
// end to end on a worker process, and prints the time per item for each. A planner that re-reads the whole
// run for every item is quadratic; the per-item time at 10,000 items must stay within 1.5× that at 1,000.
//   node test/bench/loop.bench.ts [small] [large]
import { scoped } from "@tributary/db";
import { seedWorkspace } from "../factories/seed.ts";
import { createTestDatabase, ensureTemplateDatabase } from "../support/database.ts";
import { deleteKeysWithPrefix } from "../support/redis.ts";
import { graph, publishedFlow, waitForRun } from "../support/run-helpers.ts";
import { TEST_REDIS_URL } from "../support/services.ts";
import { randomPrefix, startWorker } from "../support/worker-process.ts";
import { createDb, createJobQueue, createQueueConnection } from "./bench-support.ts";

const SMALL = Number(process.argv[2] ?? 1_000);
const LARGE = Number(process.argv[3] ?? 10_000);
const LIMIT = 1.5;

const template = await ensureTemplateDatabase();
const database = await createTestDatabase({ template });
const prefix = randomPrefix();
const db = createDb({ url: database.url, maxConnections: 4 });
const connection = createQueueConnection({ url: TEST_REDIS_URL, keyPrefix: prefix });
const queue = createJobQueue(connection);
const worker = await startWorker({ databaseUrl: database.url, redisPrefix: prefix });

try {
  const { workspace, owner } = await seedWorkspace({ db });
  // The team plan's message size and run time fit 10,000 items.
  await scoped(db, { workspaceId: workspace.id }, (tx) =>
    tx.workspace.update({ where: { id: workspace.id }, data: { planId: "team" } }),
  );
  const flowId = await publishedFlow({
    db,
    workspaceId: workspace.id,
    actor: owner.actor,
    graph: graph(
      [
        ["start", "trigger.manual"],
        ["each", "flow.loop", { items: "rows", maxItems: 100_000 }],
        ["price", "data.transform", { expression: "{ 'sku': sku, 'total': qty * 3 }" }],
        ["big", "flow.filter", { condition: "total > 10" }],
      ],
      [
        ["start", "each"],
        ["each", "price", "item"],
        ["price", "big"],
      ],
    ),
  });
  const timeLoop = async (items: number) => {
    const rows = Array.from({ length: items }, (_, i) => ({ sku: `S-${i}`, qty: i % 7 }));
    const { startRun } = await import("@tributary/core");
    const started = performance.now();
    const { runId } = await startRun({
      db,
      queue,
      workspaceId: workspace.id,
      flowId,
      trigger: "manual",
      body: { rows },
    });
    const run = await waitForRun({ db, workspaceId: workspace.id, runId, timeoutMs: 30 * 60_000 });
    const seconds = (performance.now() - started) / 1000;
    if (run.status !== "succeeded")
      throw new Error(`The loop of ${items} items ${run.status}: ${JSON.stringify(run.error)}`);
    return (seconds * 1000) / items;
  };
  await timeLoop(100); // warm-up: the worker's first run loads and prepares what later runs reuse
  const small = await timeLoop(SMALL);
  const large = await timeLoop(LARGE);
  const ratio = large / small;
  console.log(`loop of ${SMALL} items: ${small.toFixed(3)} ms per item`);
  console.log(`loop of ${LARGE} items: ${large.toFixed(3)} ms per item`);
  console.log(
    `ratio per item ${LARGE} / ${SMALL}: ${ratio.toFixed(2)}  (target: ≤ ${LIMIT}, linear) ${ratio <= LIMIT ? "met" : "NOT met"}`,
  );
} finally {
  await worker.stop();
  await queue.close();
  connection.redis.disconnect();
  await db.$disconnect();
  await database.drop();
  await deleteKeysWithPrefix(prefix);
}
