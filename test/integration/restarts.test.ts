// PostgreSQL and Redis restarted under load: webhooks keep coming (async, about 50 a second) while the test's
// own PostgreSQL cluster is restarted (fast shutdown, as an operator does) and then its own Redis (which keeps
// nothing on disk: every queue is lost). Every accepted call ends as one succeeded run, none twice, and the
// worker process lives through both without a restart.
import { createDb, type Db, getRun } from "@tributary/core";
import { scoped } from "@tributary/db";
import { createJobQueue, createQueueConnection, type JobQueue } from "@tributary/queue";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedWorkspace } from "../factories/seed.ts";
import type { TestEnvironment } from "../support/environment.ts";
import { type PrivatePostgres, startPrivatePostgres } from "../support/private-postgres.ts";
import { type PrivateRedis, startPrivateRedis } from "../support/private-redis.ts";
import { graph, publishedFlow } from "../support/run-helpers.ts";
import { webhookHarness } from "../support/webhook-harness.ts";
import { randomPrefix, startWorker, type WorkerProcess } from "../support/worker-process.ts";

let postgres: PrivatePostgres | undefined;
let redisServer: PrivateRedis | undefined;
let db: Db;
let redis: Redis;
let queue: JobQueue;
let worker: WorkerProcess | undefined;
let hooks: ReturnType<typeof webhookHarness> | undefined;
const redisPrefix = randomPrefix();

beforeAll(async () => {
  [postgres, redisServer] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
  db = createDb({ url: postgres.url, maxConnections: 10 });
  redis = new Redis(redisServer.url, { keyPrefix: redisPrefix, maxRetriesPerRequest: 1, commandTimeout: 1_000 });
  redis.on("error", () => {});
  queue = createJobQueue(createQueueConnection({ url: redisServer.url, keyPrefix: redisPrefix }));
  const env = { db, redis, queue, databaseUrl: postgres.url, redisPrefix } satisfies TestEnvironment;
  hooks = webhookHarness(env, { redisUrl: redisServer.url });
  worker = await startWorker({
    databaseUrl: postgres.url,
    redisPrefix,
    env: { REDIS_URL: redisServer.url, SWEEP_EVERY_MS: "1000", SWEEP_STALE_MS: "2000", WORKER_LOCK_MS: "3000" },
  });
}, 240_000);
afterAll(async () => {
  // Each part is closed even when another fails to; the servers this file started are stopped last, always.
  const closing = (work: () => Promise<unknown> | undefined) =>
    Promise.race([Promise.resolve(work()).catch(() => undefined), new Promise((done) => setTimeout(done, 10_000))]);
  try {
    await closing(() => hooks?.close());
    await closing(() => worker?.stop("SIGKILL"));
    await closing(() => queue?.close());
    redis?.disconnect();
    await closing(() => db?.$disconnect());
  } finally {
    await closing(() => redisServer?.stop());
    await postgres?.stop();
  }
}, 120_000);

describe("restarts under load", () => {
  it("completes every accepted call once through a PostgreSQL restart and a Redis restart", async () => {
    const seeded = await seedWorkspace({ db });
    await scoped(db, { workspaceId: seeded.workspace.id }, (tx) =>
      tx.workspace.update({ where: { id: seeded.workspace.id }, data: { planId: "team" } }),
    );
    await publishedFlow({
      db,
      workspaceId: seeded.workspace.id,
      actor: seeded.owner.actor,
      graph: graph(
        [
          ["hook", "trigger.webhook", { path: "orders", methods: ["POST"] }],
          ["double", "data.transform", { expression: "{ 'n': n * 2 }" }],
          ["wait", "flow.delay", { seconds: 0.2 }],
          ["done", "data.transform", { expression: "{ 'n': n, 'done': true }" }],
        ],
        [
          ["hook", "double"],
          ["double", "wait"],
          ["wait", "done"],
        ],
      ),
    });
    const accepted: string[] = [];
    let refused = 0;
    const load = async (seconds: number) => {
      const until = Date.now() + seconds * 1000;
      for (let n = accepted.length + refused; Date.now() < until; n++) {
        const call = hooks?.call(`/hooks/${seeded.workspace.slug}/orders`, {
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ n }),
        });
        void call?.then((answer) => {
          if (answer.status === 202) accepted.push(String(answer.json.runId));
          else if (answer.status === 503) refused++;
          else throw new Error(`Unexpected answer ${answer.status}: ${answer.text}`);
        });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const loading = load(14);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await postgres?.restart();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await redisServer?.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await redisServer?.start();
    await loading;

    // Every accepted call's run ends succeeded; the database holds no run that was not accepted.
    const deadline = Date.now() + 120_000;
    let open = accepted.length;
    let countError: unknown;
    while (open > 0) {
      if (Date.now() > deadline) {
        // What the runs' state and the worker say, for a failure on a CI machine.
        throw new Error(
          `${open} of ${accepted.length} accepted runs did not finish (last count: ${countError ? `failed, ${String(countError)}` : "read"}; this process's pools: ${poolsOf(db)}); the worker's last output:\n${worker?.output().slice(-6_000)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      open = await scoped(db, { workspaceId: seeded.workspace.id }, (tx) =>
        tx.run.count({ where: { status: { not: "succeeded" } } }),
      ).then(
        (count) => {
          countError = undefined;
          return count;
        },
        (error: unknown) => {
          countError = error;
          return open;
        },
      );
    }
    // Most calls are accepted: only those that came while Postgres was down were refused (503, nothing written).
    expect(accepted.length).toBeGreaterThan(refused);
    const runs = await scoped(db, { workspaceId: seeded.workspace.id }, (tx) =>
      tx.run.findMany({ select: { id: true, status: true, _count: { select: { steps: true } } } }),
    );
    expect(new Set(accepted).size).toBe(accepted.length);
    expect(runs.map((run) => run.id).sort()).toEqual([...accepted].sort());
    expect(runs.every((run) => run.status === "succeeded" && run._count.steps === 4)).toBe(true);
    const sample = await getRun({ db, workspaceId: seeded.workspace.id, runId: accepted[0] ?? "" });
    expect(sample.output?.body).toMatchObject({ done: true });
    expect(worker?.child.exitCode).toBeNull();
  }, 240_000);
});

const poolsOf = (db: Db) =>
  [db.ormPool, db.sql]
    .map((pool) => `${pool.totalCount} connections, ${pool.idleCount} idle, ${pool.waitingCount} waiting`)
    .join(" / ");
