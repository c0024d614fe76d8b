// Queue messages whose flow ends in its only outside effect run in the worker that consumed them and are stored
// whole before the message is acknowledged. No worker runs the run queue in this file: a run that has succeeded
// when the intake answers ran in the consumer; what cannot run there (an effect before another step, a failing
// last step, a full concurrency limit) is taken in the usual way and left queued for a worker.
import { randomUUID } from "node:crypto";
import {
  createDb,
  createMessage,
  createRunIntake,
  createSecretBox,
  type FinishedRun,
  getRun,
  type RunIntake,
  recordFinishedRuns,
  saveConnection,
  uuidv7,
} from "@tributary/core";
import { scoped } from "@tributary/db";
import { redisKeys } from "@tributary/queue";
import { createPreparedFlows, createSecretsCache } from "@tributary/runner";
import { createSandbox } from "@tributary/sandbox";
import { Redis } from "ioredis";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnectionsCache } from "../../apps/worker/src/runs/connections-cache.ts";
import { createHttpClients } from "../../apps/worker/src/runs/http-clients.ts";
import { createRunSettings } from "../../apps/worker/src/runs/run-settings.ts";
import { createRunSlots, slotLimits } from "../../apps/worker/src/runs/run-slots.ts";
import { createInlineIntake } from "../../apps/worker/src/subscriptions/inline-intake.ts";
import { createClientPools } from "../../packages/connectors/src/pools.ts";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { finishedRuns } from "../support/finished-runs.ts";
import { graph, publishedFlow } from "../support/run-helpers.ts";
import { TEST_REDIS_URL } from "../support/services.ts";
import { TEST_ENCRYPTION_KEY } from "../support/worker-process.ts";

const env = useTestEnvironment();
const secretBox = createSecretBox({ currentKey: TEST_ENCRYPTION_KEY });
const sandbox = createSandbox({ processes: 1 });
const pools = createClientPools();
const slotsRedis = new Redis(TEST_REDIS_URL);
const slots = createRunSlots({ redis: slotsRedis, ttlMs: 30_000 });
let seeded: SeededWorkspace;
let sink: pg.Pool;
let intake: RunIntake;
let deps: Omit<Parameters<typeof createInlineIntake>[0], "intake" | "onRunEnded">;
let amqpId = "";
let postgresId = "";
const stored: FinishedRun[] = [];

beforeAll(async () => {
  seeded = await seedWorkspace({ db: env.db });
  sink = new pg.Pool({ connectionString: env.databaseUrl, max: 2 });
  await sink.query("CREATE TABLE orders_in (id text PRIMARY KEY, total numeric NOT NULL)");
  const url = new URL(env.databaseUrl);
  const connection = (type: string, config: Record<string, unknown>) =>
    saveConnection({ ...ctx(), secretBox, name: `${type} ${randomUUID()}`, type, config });
  amqpId = (await connection("amqp", { host: "127.0.0.1", username: "guest", password: "guest" })).id;
  postgresId = (
    await connection("postgres", {
      host: url.hostname,
      port: Number(url.port),
      database: url.pathname.slice(1),
      user: url.username,
      tls: "disable",
    })
  ).id;
  await scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
    tx.workspace.update({ where: { id: seeded.workspace.id }, data: { allowedHosts: ["127.0.0.1"] } }),
  );
  deps = {
    db: env.db,
    queue: env.queue,
    sandbox,
    httpClients: createHttpClients({ demoApiUrl: "http://localhost:3000/api/demo" }),
    pools,
    connections: createConnectionsCache({ db: env.db, secretBox }),
    parkBackoffsOverMs: 5_000,
    keys: redisKeys(env.redisPrefix),
    slots: createRunSlots({ redis: slotsRedis, ttlMs: 30_000 }),
    settings: createRunSettings({ db: env.db, ttlMs: 0 }),
    preparedFlows: createPreparedFlows({ db: env.db }),
    secrets: createSecretsCache({ db: env.db, secretBox }),
    log: pino({ level: "silent" }),
  };
  intake = createInlineIntake({
    ...deps,
    intake: createRunIntake({ db: env.db, queue: env.queue }),
    onRunEnded: (run) => stored.push(run),
  });
});
afterAll(async () => {
  await sink?.end();
  await pools.close();
  await sandbox.close();
  slotsRedis.disconnect();
});

const ctx = () => ({ db: env.db, workspaceId: seeded.workspace.id, actor: seeded.owner.actor });
const consume = (queue: string) => ["in", "amqp.consume", { connectionId: amqpId, queue }] as const;
const price = ["price", "data.transform", { expression: "{ 'id': id, 'total': qty * price }" }] as const;
const insertInto = (table: string) => ["store", "postgres.insert", { connectionId: postgresId, table }] as const;

async function flowOf(steps: (readonly [string, string, Record<string, unknown>])[], edges: [string, string][]) {
  const flowId = await publishedFlow({
    ...ctx(),
    graph: graph(
      steps.map((step) => [...step]),
      edges,
    ),
  });
  const version = await scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
    tx.flow.findUniqueOrThrow({ where: { id: flowId }, select: { currentVersionId: true } }),
  );
  return { flowId, versionId: version.currentVersionId as string };
}

const deliver = (
  flow: { flowId: string; versionId: string },
  body: Record<string, unknown>,
  key?: string,
  to: RunIntake = intake,
) =>
  to.accept({
    runId: uuidv7(),
    workspaceId: seeded.workspace.id,
    flowId: flow.flowId,
    versionId: flow.versionId,
    triggerStepId: "in",
    message: createMessage({ id: randomUUID(), body, headers: [{ name: "amqp-routing-key", value: "orders" }] }),
    trigger: "amqp.consume",
    idempotency: key ? { key, bodyHash: JSON.stringify(body) } : null,
  });
/** A queue → price → insert flow that runs one run at a time, and the limits its runs claim slots under. */
async function oneAtATime(queue: string) {
  const flow = await flowOf(
    [consume(queue), price, insertInto("orders_in")],
    [
      ["in", "price"],
      ["price", "store"],
    ],
  );
  await scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
    tx.flow.update({ where: { id: flow.flowId }, data: { maxConcurrentRuns: 1 } }),
  );
  const limits = slotLimits({
    keys: redisKeys(env.redisPrefix),
    workspaceId: seeded.workspace.id,
    flowId: flow.flowId,
    concurrency: { workspace: 100, flow: 1 },
  });
  return { flow, limits };
}
const runOf = (runId: string) => getRun({ db: env.db, workspaceId: seeded.workspace.id, runId });
const rowsOf = async (table: string) => (await sink.query(`SELECT id, total FROM ${table} ORDER BY id`)).rows;

describe("queue messages run in the consuming worker", () => {
  it("runs a flow that ends in its only effect before the intake answers, and stores it whole with its message's key", async () => {
    const flow = await flowOf(
      [consume("orders"), price, insertInto("orders_in")],
      [
        ["in", "price"],
        ["price", "store"],
      ],
    );
    const accepted = await deliver(flow, { id: "A-1", qty: 3, price: 2.5 }, "msg-A-1");
    expect(accepted.duplicate).toBe(false);
    expect(await rowsOf("orders_in")).toEqual([{ id: "A-1", total: "7.5" }]);
    const run = await runOf(accepted.runId);
    expect(run.status).toBe("succeeded");
    expect(run.trigger).toBe("amqp.consume");
    // Steps that start within the same millisecond have no set order.
    expect(Object.fromEntries(run.steps.map((step) => [step.stepId, step.status]))).toEqual({
      in: "succeeded",
      price: "succeeded",
      store: "succeeded",
    });
    expect(run.steps.find((step) => step.stepId === "price")?.output?.body).toEqual({ id: "A-1", total: 7.5 });
    expect(stored.map((ran) => ran.runId)).toContain(accepted.runId);

    // The same message again (the broker redelivers it): the first run answers, nothing runs twice.
    const again = await deliver(flow, { id: "A-1", qty: 3, price: 2.5 }, "msg-A-1");
    expect(again).toMatchObject({ runId: accepted.runId, duplicate: true });
    expect(await rowsOf("orders_in")).toHaveLength(1);
  });

  it("stores a batch in which a message came twice (sent again before the first was acknowledged): both runs, the key the first's", async () => {
    const flow = await flowOf(
      [consume("twice"), price, insertInto("orders_in")],
      [
        ["in", "price"],
        ["price", "store"],
      ],
    );
    const [first, again, other] = finishedRuns({ id: flow.flowId, versionId: flow.versionId }, 3, { keyed: true }) as [
      FinishedRun,
      FinishedRun,
      FinishedRun,
    ];
    again.idempotency = { key: first.idempotency?.key ?? "", bodyHash: "hash" };
    await recordFinishedRuns({ db: env.db, workspaceId: seeded.workspace.id, runs: [first, again, other] });
    for (const run of [first, again, other]) expect((await runOf(run.runId)).status).toBe("succeeded");
    const keys = await scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
      tx.triggerIdempotencyKey.findMany({ where: { flowId: flow.flowId }, select: { key: true, runId: true } }),
    );
    expect(keys).toHaveLength(2);
    expect(keys).toEqual(
      expect.arrayContaining([
        { key: first.idempotency?.key, runId: first.runId },
        { key: other.idempotency?.key, runId: other.runId },
      ]),
    );
  });

  it("does not store a run without effects whose key is another's, in the same batch or before it: neither it nor its steps", async () => {
    const flow = await flowOf(
      [consume("dropped"), price, insertInto("orders_in")],
      [
        ["in", "price"],
        ["price", "store"],
      ],
    );
    const [held, first, again] = finishedRuns({ id: flow.flowId, versionId: flow.versionId }, 3, {
      keyed: true,
    }) as [FinishedRun, FinishedRun, FinishedRun];
    const workspaceId = seeded.workspace.id;
    expect(await recordFinishedRuns({ db: env.db, workspaceId, runs: [held] })).toEqual(new Set());
    const drop = (run: FinishedRun, key: string) => ({
      ...run,
      idempotency: { key, bodyHash: "hash", dropOnClash: true },
    });
    const late = drop(first, held.idempotency?.key ?? "");
    const twin = drop(again, "new-key");
    const winner = drop(finishedRuns({ id: flow.flowId, versionId: flow.versionId }, 1)[0] as FinishedRun, "new-key");
    const dropped = await recordFinishedRuns({ db: env.db, workspaceId, runs: [winner, late, twin] });
    expect(dropped).toEqual(new Set([late.runId, twin.runId]));
    const left = await scoped(env.db, { workspaceId }, (tx) =>
      tx.run.findMany({
        where: { id: { in: [held.runId, winner.runId, late.runId, twin.runId] } },
        select: { id: true, _count: { select: { steps: true } } },
      }),
    );
    expect(left.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      [held.runId, winner.runId].sort().map((id) => ({ id, _count: { steps: 1 } })),
    );
  });

  it("takes in the usual way a flow with an effect before another step, a last step that fails, and a full concurrency limit", async () => {
    const effectFirst = await flowOf(
      [consume("early"), insertInto("orders_in"), ["log", "util.log", { message: "stored" }]],
      [
        ["in", "store"],
        ["store", "log"],
      ],
    );
    const queued = await deliver(effectFirst, { id: "B-1", total: 1 });
    expect((await runOf(queued.runId)).status).toBe("queued");

    // A missing table: the step fails here, and a worker will try it under its retry policy.
    const failing = await flowOf(
      [consume("broken"), price, insertInto("no_such_table")],
      [
        ["in", "price"],
        ["price", "store"],
      ],
    );
    const failed = await deliver(failing, { id: "C-1", qty: 1, price: 1 });
    const failedRun = await runOf(failed.runId);
    expect(failedRun.status).toBe("queued");
    expect(failedRun.steps).toEqual([]);

    // The flow runs one at a time and one run holds its slot: the message waits in the run queue.
    const limited = await oneAtATime("limited");
    const held = await slots.acquire({ runId: uuidv7(), limits: limited.limits });
    expect(held).not.toBeNull();
    const waiting = await deliver(limited.flow, { id: "D-1", qty: 2, price: 2 });
    expect((await runOf(waiting.runId)).status).toBe("queued");
    expect((await rowsOf("orders_in")).map((row) => row.id)).not.toContain("D-1");
    if (held) await slots.release(held);
  });

  it("gives its slot back when the message's key cannot be looked up, and takes the message in the usual way", async () => {
    const { flow, limits } = await oneAtATime("lookups");
    // Its key lookups go to a database that is not there; flows, settings and the usual intake work.
    const unreachable = createDb({ url: `${env.databaseUrl}_not_there`, maxConnections: 1 });
    try {
      const lookupsFail = createInlineIntake({
        ...deps,
        db: unreachable,
        intake: createRunIntake({ db: env.db, queue: env.queue }),
        onRunEnded: () => undefined,
      });
      const taken = await deliver(flow, { id: "E-1", qty: 1, price: 3 }, "msg-E-1", lookupsFail);
      expect((await runOf(taken.runId)).status).toBe("queued");
      // The flow runs one at a time: a worker can take this run up only once the inline claim is given back.
      await expect
        .poll(async () => {
          const claim = await slots.acquire({ runId: taken.runId, limits });
          if (claim) await slots.release(claim);
          return claim !== null;
        })
        .toBe(true);
    } finally {
      await unreachable.$disconnect();
    }
  });
});
