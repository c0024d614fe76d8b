// Accepted means committed: with Redis down, webhooks are still accepted at once (the run is in Postgres),
// and once Redis is back (empty, as after a crash without persistence) the worker's sweeper runs every one of
// them. Sync webhooks of quick flows run as they are taken in and answer as usual. Everything else that needs
// Redis (a sync webhook whose flow needs a worker, the UI's tRPC API, sign-in) says so within a second: 503
// with Retry-After and a message of ours, never Redis's error text; the REST API goes on without it.
import { join, resolve } from "node:path";
import { createJobQueue, createQueueConnection, type JobQueue } from "@tributary/queue";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace, TEST_PASSWORD } from "../factories/seed.ts";
import { callerFor } from "../support/api-caller.ts";
import { type RunningApp, startApp } from "../support/app-process.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { type CookieJar, cookieHeader, signInOverHttp } from "../support/http-sign-in.ts";
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
let app: RunningApp;

/** What Redis and ioredis say when they fail; none of it may reach a caller. */
const INTERNAL_TEXT =
  /ECONNREFUSED|enableOfflineQueue|Stream isn't writeable|max retries|MaxRetriesPerRequest|Connection is closed|Command timed out|ioredis/i;

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
  // The real web process on this Redis (no worker of its own: the one above runs the runs).
  app = await startApp({
    databaseUrl: env.databaseUrl,
    logDir: join(resolve(import.meta.dirname, "../.."), "test-results/redis-outage-logs"),
    env: { REDIS_URL: redisServer.url },
    worker: false,
  });
}, 180_000);
afterAll(async () => {
  await app?.stop();
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
          // A step only a worker runs: the run is queued for one, not run as it is taken in.
          ["wait", "flow.delay", { seconds: 0 }],
          ["t", "data.transform", { expression: "{ 'n': n * 2 }" }],
        ],
        [
          ["hook", "wait"],
          ["wait", "t"],
        ],
      ),
    });
    const send = (n: number) =>
      hooks.call(`/hooks/${seeded.workspace.slug}/orders`, {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ n }),
      });
    const accepted: string[] = [];
    const accept = async (n: number) => {
      const started = performance.now();
      const response = await send(n);
      expect(response.status).toBe(202);
      // The rate limit fails open at once: no waiting on Redis.
      expect(performance.now() - started).toBeLessThan(1_000);
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

describe("Redis outage, as callers see it", () => {
  const timed = async (work: () => Promise<Response>) => {
    const started = performance.now();
    const response = await work();
    const body = await response.text();
    return { status: response.status, headers: response.headers, body, ms: performance.now() - started };
  };
  const expectUnavailable = (answer: { status: number; headers: Headers; body: string; ms: number }, what: string) => {
    expect(answer.status, `${what}: ${answer.body}`).toBe(503);
    expect(Number(answer.headers.get("retry-after")), what).toBeGreaterThan(0);
    expect(answer.body, what).not.toMatch(INTERNAL_TEXT);
    expect(answer.ms, what).toBeLessThan(1_000);
  };

  it("answers sync webhooks that need a worker, the UI's API and sign-in with a quick 503 and Retry-After; quick sync webhooks and the REST API as usual", async () => {
    const syncFlow = (path: string, step: [string, string, Record<string, unknown>]) =>
      publishedFlow({
        db: env.db,
        workspaceId: seeded.workspace.id,
        actor: seeded.owner.actor,
        graph: graph(
          [["hook", "trigger.webhook", { path, methods: ["POST"], responseMode: "sync" }], step],
          [["hook", step[0]]],
        ),
      });
    await syncFlow("ask", ["wait", "flow.delay", { seconds: 0 }]);
    await syncFlow("quote", ["price", "data.transform", { expression: "{ 'price': 12 }" }]);
    const apiKey = (
      await callerFor({ env, user: seeded.owner }).apiKeys.create({
        workspaceId: seeded.workspace.id,
        name: "outage",
        role: "editor",
      })
    ).key;
    const jar: CookieJar = new Map();
    const first = await signInOverHttp({
      baseUrl: app.baseUrl,
      email: seeded.owner.email,
      password: TEST_PASSWORD,
      jar,
    });
    expect(first.signedIn).toBe(true);
    const trpc = () => fetch(`${app.baseUrl}/api/trpc/workspaces.list`, { headers: { cookie: cookieHeader(jar) } });
    const rest = () => fetch(`${app.baseUrl}/api/v1/flows`, { headers: { authorization: `Bearer ${apiKey}` } });
    const askHook = () =>
      hooks.call(`/hooks/${seeded.workspace.slug}/ask`, {
        headers: { "content-type": "application/json" },
        body: "{}",
      });
    // Every route once with Redis up, so the outage is not timed against loading them.
    expect((await trpc()).status).toBe(200);
    expect((await rest()).status).toBe(200);

    await redisServer.stop();
    try {
      const started = performance.now();
      const sync = await askHook();
      expectUnavailable(
        { status: sync.status, headers: sync.headers, body: sync.text, ms: performance.now() - started },
        "sync webhook",
      );
      const quote = await hooks.call(`/hooks/${seeded.workspace.slug}/quote`, {
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(quote).toMatchObject({ status: 200, json: { price: 12 } });
      expectUnavailable(await timed(trpc), "tRPC");
      const signIn = await signInOverHttp({
        baseUrl: app.baseUrl,
        email: seeded.owner.email,
        password: TEST_PASSWORD,
        jar: new Map(),
      });
      expectUnavailable(signIn, "sign-in");
      expect(signIn.signedIn).toBe(false);

      const listed = await timed(rest);
      expect(listed.status, listed.body).toBe(200);
      expect(listed.ms).toBeLessThan(1_000);
    } finally {
      await redisServer.start();
    }
  }, 60_000);
});
