// Accepted means committed: with Redis down, webhooks are still accepted (the run is in Postgres), and once
// Redis is back (empty, as after a crash without persistence) the worker's sweeper runs every one of them.
import { createJobQueue, createQueueConnection, type JobQueue } from "@tributary/queue";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { type PrivateRedis, startPrivateRedis } from "../support/private-redis.ts";
import { graph, publishedFlow, waitForRun } from "../support/run-helpers.ts";
import { webhookHarness } from "../support/webhook-harness.ts";
import { startWorker, type WorkerProcess } from "../support/worker-process.ts";

const env = useTestEnvironment();
let redisServer: PrivateRedis;
let redis: Redis;
let queue: JobQueue;
let worker: WorkerProcess;
let hooks: ReturnType<typeof webhookHarness>;
let seeded: SeededWorkspace;

beforeAll(async () => {
  redisServer = await startPrivateRedis();
  redis = new Redis(redisServer.url, { keyPrefix: env.redisPrefix, maxRetriesPerRequest: 1, commandTimeout: 1_000 });
  redis.on("error", () => {});
  queue = createJobQueue(createQueueConnection({ url: redisServer.url, keyPrefix: env.redisPrefix }));
  hooks = webhookHarness(env, { redisUrl: redisServer.url, redis, queue });
  worker = await startWorker({
    databaseUrl: env.databaseUrl,
    redisPrefix: env.redisPrefix,
    env: { REDIS_URL: redisServer.url, SWEEP_EVERY_MS: "1000", SWEEP_STALE_MS: "500" },
  });
  seeded = await seedWorkspace({ db: env.db });
}, 60_000);
afterAll(async () => {
  await hooks?.close();
  await worker?.stop();
  await queue?.close();
  redis?.disconnect();
  await redisServer?.stop();
});

describe("Redis outage", () => {
  it("accepts webhooks while Redis is down and completes every accepted run once it is back", async () => {
    await publishedFlow({
      db: env.db,
      workspaceId: seeded.workspace.id,
      actor: seeded.owner.actor,
      graph: graph(
        [
          ["hook", "trigger.webhook", { path: "orders", methods: ["POST"] }],
          ["t", "data.transform", { expression: "{ 'n': n * 2 }" }],
        ],
        [["hook", "t"]],
      ),
    });
    const send = (n: number) =>
      hooks.call(`/hooks/${seeded.workspace.slug}/orders`, {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ n }),
      });
    const accepted: string[] = [];
    const accept = async (n: number) => {
      const response = await send(n);
      expect(response.status).toBe(202);
      accepted.push(String(response.json.runId));
    };

    for (let n = 0; n < 3; n++) await accept(n);
    await redisServer.stop();
    for (let n = 3; n < 8; n++) await accept(n);
    await redisServer.start();
    for (let n = 8; n < 10; n++) await accept(n);

    expect(new Set(accepted).size).toBe(10);
    for (const runId of accepted) {
      const run = await waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId, timeoutMs: 30_000 });
      expect(run.status).toBe("succeeded");
    }
    expect(worker.child.exitCode).toBeNull();
  }, 90_000);
});
