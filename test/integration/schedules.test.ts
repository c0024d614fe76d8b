// Schedule and polling triggers with real worker processes, BullMQ job schedulers on real Redis, and Postgres.
import { setTimeout as sleep } from "node:timers/promises";
import { requestScheduleSync, setFlowStatus, updateWorkspaceSettings } from "@tributary/core";
import { scoped } from "@tributary/db";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpClients } from "../../apps/worker/src/runs/http-clients.ts";
import { createScheduleFirer, type Tick } from "../../apps/worker/src/schedules/fire-schedule.ts";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { type HttpTarget, startHttpTarget } from "../support/http-target.ts";
import { graph, publishedFlow } from "../support/run-helpers.ts";
import { startWorkers, WORKER_START_TIMEOUT_MS } from "../support/worker-process.ts";

const env = useTestEnvironment();
let seeded: SeededWorkspace;
let target: HttpTarget;
const httpClients = createHttpClients({ demoApiUrl: "http://localhost:3000/api/demo" });

beforeAll(async () => {
  seeded = await seedWorkspace({ db: env.db });
  await updateWorkspaceSettings({
    db: env.db,
    workspaceId: seeded.workspace.id,
    actor: seeded.owner.actor,
    allowedHosts: ["127.0.0.1"],
  });
  target = await startHttpTarget();
});
afterAll(async () => {
  await target?.close();
  await httpClients.close();
});

const ctx = () => ({ db: env.db, workspaceId: seeded.workspace.id, actor: seeded.owner.actor });

async function runsOf(flowId: string) {
  const runs = await scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
    tx.run.findMany({ where: { flowId }, select: { trigger: true, input: true }, orderBy: { id: "asc" } }),
  );
  return runs.map((run) => {
    const input = run.input as { body: unknown; headers: { name: string; value: string }[] };
    const header = (name: string) => input.headers.find((h) => h.name === name)?.value;
    return { trigger: run.trigger, body: input.body, tick: header("schedule-tick"), key: header("poll-item-key") };
  });
}

/** Polls `condition` until it holds; fails after `timeoutMs`. */
async function until(condition: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Not so within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** The worker's own tick handler, against the test's Postgres and Redis. */
const fire = (tick: Tick) =>
  createScheduleFirer({ db: env.db, queue: env.queue, httpClients, log: pino({ level: "silent" }) })(tick);

describe("schedules", () => {
  it(
    "a 1-second interval with three worker processes fires once per tick, and stops when paused",
    async () => {
      // Started side by side; if one does not start, the others are stopped (startWorkers), and the test's
      // timeout leaves room for a slow start on a busy machine.
      const workers = await startWorkers(3, { databaseUrl: env.databaseUrl, redisPrefix: env.redisPrefix });
      try {
        const flowId = await publishedFlow({
          ...ctx(),
          graph: graph(
            [
              ["tick", "trigger.schedule", { intervalSeconds: 1, body: { hello: "tick" } }],
              ["log", "util.log", { message: "tick" }],
            ],
            [["tick", "log"]],
          ),
        });
        await requestScheduleSync({ queue: env.queue, workspaceId: seeded.workspace.id, flowId });
        await until(async () => (await runsOf(flowId)).length >= 5, 60_000);
        await setFlowStatus({ ...ctx(), flowId, status: "paused" });
        await requestScheduleSync({ queue: env.queue, workspaceId: seeded.workspace.id, flowId });
        // Paused: the scheduler is gone (a worker removes it); a tick queued before may still start its run.
        const schedulers = env.queue.queue("schedules");
        await until(async () => (await schedulers.getJobScheduler(`${flowId}:tick`)) === undefined, 60_000);
        await sleep(1_500);

        const runs = await runsOf(flowId);
        const ticks = runs.map((run) => Date.parse(run.tick ?? "")).sort((a, b) => a - b);
        expect(runs.length).toBeGreaterThanOrEqual(4);
        expect(new Set(ticks).size).toBe(ticks.length);
        expect(runs.every((run) => run.trigger === "schedule")).toBe(true);
        expect(runs[0]?.body).toEqual({ hello: "tick" });
        // One run per tick: no tick twice, none skipped.
        for (let i = 1; i < ticks.length; i++) expect((ticks[i] ?? 0) - (ticks[i - 1] ?? 0)).toBe(1000);

        // No more ticks (an absence: only waiting can show it).
        await sleep(2_000);
        expect((await runsOf(flowId)).length).toBe(runs.length);
      } finally {
        await Promise.all(workers.map((worker) => worker.stop()));
      }
    },
    WORKER_START_TIMEOUT_MS + 90_000,
  );

  it("a tick missed while no worker ran starts one catch-up run, or none when set to skip", async () => {
    const flowFor = (missed: string) =>
      publishedFlow({
        ...ctx(),
        graph: graph([["tick", "trigger.schedule", { cron: "0 9 * * *", timezone: "Europe/Berlin", missed }]], []),
      });
    const runOnce = await flowFor("run-once");
    const skip = await flowFor("skip");
    const twoHoursAgo = Date.now() - 2 * 3600_000;
    for (const flowId of [runOnce, skip]) {
      await fire({ workspaceId: seeded.workspace.id, flowId, stepId: "tick", scheduledAt: twoHoursAgo });
    }
    expect(await runsOf(runOnce)).toHaveLength(1);
    expect(await runsOf(skip)).toHaveLength(0);
    // A punctual tick runs either way.
    await fire({ workspaceId: seeded.workspace.id, flowId: skip, stepId: "tick", scheduledAt: Date.now() });
    expect(await runsOf(skip)).toHaveLength(1);
  });

  it("a tick of a paused flow starts nothing and removes its stale scheduler", async () => {
    const flowId = await publishedFlow({
      ...ctx(),
      graph: graph([["tick", "trigger.schedule", { intervalSeconds: 3600 }]], []),
    });
    const schedules = env.queue.queue("schedules");
    await schedules.upsertJobScheduler(`${flowId}:tick`, { every: 3_600_000 }, { name: "schedule.fire" });
    await setFlowStatus({ ...ctx(), flowId, status: "paused" });
    await fire({ workspaceId: seeded.workspace.id, flowId, stepId: "tick", scheduledAt: Date.now() });
    expect(await runsOf(flowId)).toHaveLength(0);
    expect(await schedules.getJobScheduler(`${flowId}:tick`)).toBeUndefined();
  });
});

describe("polling an HTTP API", () => {
  it("remembers what is there on the first poll, then starts one run per new item, keyed by JSONata", async () => {
    let orders = [
      { id: 1, status: "new" },
      { id: 2, status: "new" },
    ];
    target.route("/orders", (_request, response) =>
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: { orders } })),
    );
    const flowId = await publishedFlow({
      ...ctx(),
      graph: graph(
        [
          [
            "poll",
            "trigger.poll",
            { url: `${target.url}/orders`, items: "data.orders", dedupeKey: "id & ':' & status", intervalSeconds: 60 },
          ],
        ],
        [],
      ),
    });
    const tick = () => fire({ workspaceId: seeded.workspace.id, flowId, stepId: "poll", scheduledAt: Date.now() });

    await tick();
    expect(await runsOf(flowId)).toHaveLength(0);

    orders = [...orders, { id: 3, status: "new" }, { id: 2, status: "paid" }];
    await tick();
    const runs = await runsOf(flowId);
    expect(runs.map((run) => run.key).sort()).toEqual(["2:paid", "3:new"]);
    expect(runs.find((run) => run.key === "3:new")?.body).toEqual({ id: 3, status: "new" });
    expect(runs.every((run) => run.trigger === "poll")).toBe(true);

    await tick();
    expect(await runsOf(flowId)).toHaveLength(2);
  });

  it("forgets item keys the API stopped returning after the trigger's retention, never those it still returns", async () => {
    let items = [{ id: "a" }, { id: "b" }];
    target.route("/retained", (_request, response) =>
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(items)),
    );
    const flowId = await publishedFlow({
      ...ctx(),
      graph: graph(
        [["poll", "trigger.poll", { url: `${target.url}/retained`, intervalSeconds: 60, forgetSeenAfterDays: 1 }]],
        [],
      ),
    });
    const tick = () => fire({ workspaceId: seeded.workspace.id, flowId, stepId: "poll", scheduledAt: Date.now() });
    const seen = () =>
      scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
        tx.pollSeen.findMany({ where: { flowId }, orderBy: { key: "asc" } }),
      ).then((rows) => rows.map((row) => row.key));
    const age = (days: number) =>
      scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
        tx.pollSeen.updateMany({ where: { flowId }, data: { seenAt: new Date(Date.now() - days * 86_400_000) } }),
      );

    await tick();
    expect(await seen()).toEqual(["", "a", "b"]);
    // Two days later: "b" is gone from the API, "a" is still there.
    items = [{ id: "a" }];
    await age(2);
    await tick();
    expect(await seen()).toEqual(["", "a"]);
    expect(await runsOf(flowId)).toHaveLength(0);
    // Even with every key forgotten, the trigger is not taken for a new one (whose first poll runs nothing).
    items = [];
    await age(2);
    await tick();
    expect(await seen()).toEqual([""]);
    items = [{ id: "a" }, { id: "b" }];
    await tick();
    expect((await runsOf(flowId)).map((run) => run.key).sort()).toEqual(["a", "b"]);
  });

  it("a failing API starts no run and forgets nothing", async () => {
    let healthy = false;
    target.route("/flaky", (_request, response) =>
      healthy
        ? response.writeHead(200, { "content-type": "application/json" }).end('[{"id":"a"}]')
        : response.writeHead(503).end("down"),
    );
    const flowId = await publishedFlow({
      ...ctx(),
      graph: graph([["poll", "trigger.poll", { url: `${target.url}/flaky`, intervalSeconds: 60 }]], []),
    });
    const tick = () => fire({ workspaceId: seeded.workspace.id, flowId, stepId: "poll", scheduledAt: Date.now() });
    await tick();
    healthy = true;
    await tick();
    // The first successful poll is the one that remembers.
    expect(await runsOf(flowId)).toHaveLength(0);
    expect(target.received.filter((request) => request.path === "/flaky")).toHaveLength(2);
  });
});
