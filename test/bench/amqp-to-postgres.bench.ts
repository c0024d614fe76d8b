// Messages per second end to end through a flow: a RabbitMQ queue trigger → transform → PostgreSQL insert, run
// by one real worker (each message committed as a run before it is acked, then run step by step); beside it,
// in the same run, a plain amqplib consumer that does the same transform and insert with pg itself (the ratio
// is what the platform costs: runs, checkpoints, the transaction log).
//   node test/bench/amqp-to-postgres.bench.ts [messages]
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { createSecretBox, saveConnection } from "@tributary/core";
import { scoped } from "@tributary/db";
import { connect as amqpConnect } from "amqplib";
import pg from "pg";
import { seedWorkspace } from "../factories/seed.ts";
import { createTestDatabase, ensureTemplateDatabase } from "../support/database.ts";
import { deleteKeysWithPrefix } from "../support/redis.ts";
import { graph, publishedFlow } from "../support/run-helpers.ts";
import { randomPrefix, startWorker, TEST_ENCRYPTION_KEY } from "../support/worker-process.ts";
import { createDb, machineCpuMs } from "./bench-support.ts";

const MESSAGES = Number(process.argv[2] ?? 2000);
const PREFETCH = 50;
const AMQP_URL = "amqp://guest:guest@127.0.0.1:5672";
const tag = randomBytes(4).toString("hex");
const queues = { flow: `bench-flow-${tag}`, plain: `bench-plain-${tag}` };

const database = await createTestDatabase({ template: await ensureTemplateDatabase() });
const prefix = randomPrefix();
const db = createDb({ url: database.url, maxConnections: 5 });
const sink = new pg.Pool({ connectionString: database.url, max: 10 });
const broker = await amqpConnect(AMQP_URL);
const channel = await broker.createChannel();

/**
 * Sends the messages and returns how long until `count()` reaches them all, in seconds, and what the whole
 * machine spent meanwhile in CPU per message (every process: the consumer, Postgres, RabbitMQ): a figure that
 * holds still where rates swing with how busy the machine's neighbours are.
 */
async function drain(queue: string, count: () => Promise<number>): Promise<{ seconds: number; cpuMs: number }> {
  const start = performance.now();
  const cpuBefore = machineCpuMs().busy;
  for (let n = 0; n < MESSAGES; n++) {
    channel.sendToQueue(queue, Buffer.from(JSON.stringify({ id: `${queue}-${n}`, qty: n % 7, price: 2.5 })), {
      contentType: "application/json",
      messageId: `${queue}-${n}`,
    });
  }
  const deadline = Date.now() + 600_000;
  while ((await count()) < MESSAGES) {
    if (Date.now() > deadline) throw new Error(`${queue}: not all ${MESSAGES} messages arrived`);
    await sleep(100);
  }
  return { seconds: (performance.now() - start) / 1000, cpuMs: (machineCpuMs().busy - cpuBefore) / MESSAGES };
}

const rows = (table: string) => async () =>
  Number((await sink.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n ?? 0);

let worker: Awaited<ReturnType<typeof startWorker>> | null = null;
try {
  await sink.query("CREATE TABLE bench_plain (id text PRIMARY KEY, total numeric NOT NULL)");
  await sink.query("CREATE TABLE bench_flow (id text PRIMARY KEY, total numeric NOT NULL)");
  for (const queue of Object.values(queues)) await channel.assertQueue(queue, { durable: true });

  // Baseline: amqplib and pg, nothing else.
  const plain = await broker.createChannel();
  await plain.prefetch(PREFETCH);
  await plain.consume(queues.plain, (message) => {
    if (!message) return;
    const order = JSON.parse(message.content.toString()) as { id: string; qty: number; price: number };
    sink.query("INSERT INTO bench_plain (id, total) VALUES ($1, $2)", [order.id, order.qty * order.price]).then(
      () => plain.ack(message),
      () => plain.nack(message),
    );
  });
  const plainRun = await drain(queues.plain, rows("bench_plain"));
  await plain.close();

  // Through a flow, on one worker.
  const { workspace, owner } = await seedWorkspace({ db });
  await scoped(db, { workspaceId: workspace.id }, (tx) =>
    tx.workspace.update({ where: { id: workspace.id }, data: { planId: "team", allowedHosts: ["127.0.0.1"] } }),
  );
  const secretBox = createSecretBox({ currentKey: TEST_ENCRYPTION_KEY });
  const url = new URL(database.url);
  const connection = (type: string, config: Record<string, unknown>) =>
    saveConnection({ db, secretBox, workspaceId: workspace.id, actor: owner.actor, name: type, type, config });
  const amqp = await connection("amqp", { host: "127.0.0.1", username: "guest", password: "guest" });
  const postgres = await connection("postgres", {
    host: url.hostname,
    port: Number(url.port),
    database: url.pathname.slice(1),
    user: url.username,
    tls: "disable",
    // As many connections as the plain consumer's pool.
    poolSize: 10,
  });
  await publishedFlow({
    db,
    workspaceId: workspace.id,
    actor: owner.actor,
    graph: graph(
      [
        ["orders", "amqp.consume", { connectionId: amqp.id, queue: queues.flow, prefetch: PREFETCH }],
        ["price", "data.transform", { expression: "{ 'id': id, 'total': qty * price }" }],
        ["store", "postgres.insert", { connectionId: postgres.id, table: "bench_flow" }],
      ],
      [
        ["orders", "price"],
        ["price", "store"],
      ],
    ),
  });
  // The flow is published before the worker starts: its first look at the subscriptions finds it.
  worker = await startWorker({ databaseUrl: database.url, redisPrefix: prefix, env: { WORKER_CONCURRENCY: "50" } });
  const deadline = Date.now() + 60_000;
  while ((await channel.checkQueue(queues.flow)).consumerCount === 0) {
    if (Date.now() > deadline) throw new Error(`the worker did not subscribe to ${queues.flow}`);
    await sleep(100);
  }
  // Done when every message is in the table and its run is stored as succeeded. The runs are counted only
  // once the table is full: a count of every run, ten times a second, would load the database it measures.
  const succeeded = async () =>
    Number(
      (await sink.query<{ n: string }>("SELECT count(*) AS n FROM runs WHERE status = 'succeeded'")).rows[0]?.n ?? 0,
    );
  const flowRun = await drain(queues.flow, async () => {
    const inserted = await rows("bench_flow")();
    return inserted < MESSAGES ? inserted : Math.min(inserted, await succeeded());
  });

  const plainRate = MESSAGES / plainRun.seconds;
  const flowRate = MESSAGES / flowRun.seconds;
  console.log(`RabbitMQ → transform → PostgreSQL insert, ${MESSAGES} messages, prefetch ${PREFETCH}`);
  console.log(
    `  plain amqplib + pg consumer:       ${plainRate.toFixed(0)} messages/s, machine CPU ${plainRun.cpuMs.toFixed(3)} ms per message`,
  );
  console.log(
    `  Tributary flow (1 worker, 50 runs): ${flowRate.toFixed(0)} messages/s, machine CPU ${flowRun.cpuMs.toFixed(3)} ms per message`,
  );
  const ratio = flowRate / plainRate;
  console.log(
    `  ratio flow / plain:                 ${ratio.toFixed(3)}  (resolve at ≥ 0.30: ${ratio >= 0.3 ? "met" : "NOT met"}; aim ≥ 0.60)`,
  );
} finally {
  await worker?.stop();
  for (const queue of Object.values(queues)) await channel.deleteQueue(queue).catch(() => undefined);
  await broker.close();
  await sink.end();
  await db.$disconnect();
  await deleteKeysWithPrefix(prefix);
  await database.drop();
}
