// What happens when things go wrong: workers killed mid-run, Redis losing every queue key, shutdowns,
// cancellations, re-runs. Real worker processes, real Postgres and Redis.

import { setTimeout as sleep } from "node:timers/promises";
import { cancelRun, getRun, rerunFromStep, startRun, updateFlow } from "@tributary/core";
import { scoped } from "@tributary/db";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { type HttpTarget, json, startHttpTarget } from "../support/http-target.ts";
import { deleteKeysWithPrefix } from "../support/redis.ts";
import { graph, publishedFlow, waitForRun } from "../support/run-helpers.ts";
import { startWorker, type WorkerProcess } from "../support/worker-process.ts";

const env = useTestEnvironment();
let target: HttpTarget;
let seeded: SeededWorkspace;
const workers: WorkerProcess[] = [];

const worker = async (extra: Record<string, string> = {}) => {
  const started = await startWorker({ databaseUrl: env.databaseUrl, redisPrefix: env.redisPrefix, env: extra });
  workers.push(started);
  return started;
};
const until = async (check: () => boolean, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await sleep(20);
  }
};

beforeAll(async () => {
  target = await startHttpTarget();
  seeded = await seedWorkspace({ db: env.db });
  await scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
    tx.workspace.update({ where: { id: seeded.workspace.id }, data: { allowedHosts: ["127.0.0.1"] } }),
  );
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop("SIGKILL")));
});
afterAll(async () => {
  await target?.close();
});

const ctx = () => ({ db: env.db, workspaceId: seeded.workspace.id, actor: seeded.owner.actor });
const hits = (path: string) => target.received.filter((r) => r.path === path).length;

describe("durability", () => {
  it("a run whose worker is SIGKILLed mid-run completes on another worker, without redoing finished steps", async () => {
    target.route("/charge-1", (_req, res) => json(res, 200, { charged: true }));
    let slowCalls = 0;
    target.route("/slow-1", (_req, res) => {
      // The first call hangs (its worker dies meanwhile); the retry after resuming answers at once.
      if (++slowCalls > 1) json(res, 200, { shipped: true });
    });
    const flowId = await publishedFlow({
      ...ctx(),
      graph: graph(
        [
          ["start", "trigger.manual"],
          ["charge", "http.request", { method: "POST", url: `${target.url}/charge-1` }],
          ["ship", "http.request", { url: `${target.url}/slow-1` }],
          ["done", "data.transform", { expression: "'done'" }],
        ],
        [
          ["start", "charge"],
          ["charge", "ship"],
          ["ship", "done"],
        ],
      ),
    });
    const first = await worker();
    const { runId } = await startRun({
      db: env.db,
      queue: env.queue,
      workspaceId: seeded.workspace.id,
      flowId,
      trigger: "manual",
      body: {},
    });
    await until(() => slowCalls === 1);
    first.child.kill("SIGKILL");
    await first.exited;
    await worker();
    const run = await waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId, timeoutMs: 30_000 });
    expect(run.status).toBe("succeeded");
    expect(run.output?.body).toBe("done");
    expect(hits("/charge-1")).toBe(1);
    expect(run.steps.filter((s) => s.key === "charge")).toHaveLength(1);
    const row = await scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
      tx.run.findUniqueOrThrow({ where: { id: runId } }),
    );
    expect(row.takeovers).toBe(1);
  });

  it("a run whose workers are SIGKILLed twice ends FAILED with the reason, not stuck", async () => {
    target.route("/hang-2", () => {});
    const flowId = await publishedFlow({
      ...ctx(),
      graph: graph(
        [
          ["start", "trigger.manual"],
          ["stuck", "http.request", { url: `${target.url}/hang-2`, timeoutSeconds: 300 }],
        ],
        [["start", "stuck"]],
      ),
    });
    const { runId } = await startRun({
      db: env.db,
      queue: env.queue,
      workspaceId: seeded.workspace.id,
      flowId,
      trigger: "manual",
      body: {},
    });
    for (let kill = 1; kill <= 2; kill++) {
      const doomed = await worker();
      await until(() => hits("/hang-2") === kill, 20_000);
      doomed.child.kill("SIGKILL");
      await doomed.exited;
    }
    await worker();
    const run = await waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId, timeoutMs: 30_000 });
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({
      code: "worker_lost",
      message: expect.stringMatching(/stopped \(crashed or was killed\) 2 times/),
    });
    expect(hits("/hang-2")).toBe(2);
  });

  it("runs queued when Redis loses every queue key all complete once the sweeper runs", async () => {
    const flowId = await publishedFlow({
      ...ctx(),
      graph: graph(
        [
          ["start", "trigger.manual"],
          ["t", "data.transform", { expression: "n * 10" }],
        ],
        [["start", "t"]],
      ),
    });
    const runIds: string[] = [];
    for (let n = 0; n < 20; n++) {
      runIds.push(
        (
          await startRun({
            db: env.db,
            queue: env.queue,
            workspaceId: seeded.workspace.id,
            flowId,
            trigger: "manual",
            body: { n },
          })
        ).runId,
      );
    }
    // The equivalent of FLUSHALL for this installation (other test files share the Redis server).
    await deleteKeysWithPrefix(env.redisPrefix);
    await worker({ SWEEP_EVERY_MS: "1000", SWEEP_STALE_MS: "200" });
    const runs = await Promise.all(
      runIds.map((runId) => waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId, timeoutMs: 30_000 })),
    );
    expect(runs.map((r) => r.status)).toEqual(Array(20).fill("succeeded"));
    expect(runs.map((r) => r.output?.body)).toEqual(Array.from({ length: 20 }, (_, n) => n * 10));
  });

  it("SIGTERM hands a running run back: another worker finishes it, finished steps kept", async () => {
    target.route("/step-a-4", (_req, res) => setTimeout(() => json(res, 200, { a: true }), 800));
    target.route("/step-b-4", (_req, res) => json(res, 200, { b: true }));
    const flowId = await publishedFlow({
      ...ctx(),
      graph: graph(
        [
          ["start", "trigger.manual"],
          ["a", "http.request", { url: `${target.url}/step-a-4` }],
          ["b", "http.request", { url: `${target.url}/step-b-4` }],
        ],
        [
          ["start", "a"],
          ["a", "b"],
        ],
      ),
    });
    const leaving = await worker();
    const { runId } = await startRun({
      db: env.db,
      queue: env.queue,
      workspaceId: seeded.workspace.id,
      flowId,
      trigger: "manual",
      body: {},
    });
    await until(() => hits("/step-a-4") === 1);
    leaving.child.kill("SIGTERM");
    expect(await leaving.exited).toBe(0);
    expect(leaving.output()).toMatch(/handed back/);
    expect(hits("/step-b-4")).toBe(0);
    await worker();
    const run = await waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId });
    expect(run.status).toBe("succeeded");
    expect(hits("/step-a-4")).toBe(1);
    expect(hits("/step-b-4")).toBe(1);
  });

  it("cancels a waiting run; it stays cancelled when its wake-up comes", async () => {
    const flowId = await publishedFlow({
      ...ctx(),
      graph: graph(
        [
          ["start", "trigger.manual"],
          ["wait", "flow.delay", { seconds: 6 }],
          ["after", "data.transform", { expression: "'ran'" }],
        ],
        [
          ["start", "wait"],
          ["wait", "after"],
        ],
      ),
    });
    await worker();
    const { runId } = await startRun({
      db: env.db,
      queue: env.queue,
      workspaceId: seeded.workspace.id,
      flowId,
      trigger: "manual",
      body: {},
    });
    await waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId, until: (r) => r.status === "waiting" });
    await cancelRun({ db: env.db, queue: env.queue, workspaceId: seeded.workspace.id, runId });
    await sleep(6_500);
    const run = await getRun({ db: env.db, workspaceId: seeded.workspace.id, runId });
    expect(run.status).toBe("cancelled");
    expect(run.steps.map((s) => s.key)).not.toContain("after");
  });

  it("re-runs from the failed step with the messages it had, once the cause is fixed", async () => {
    let fixed = false;
    target.route("/audit-6", (_req, res) => json(res, 200, { audited: true }));
    target.route("/fragile-6", (_req, res) =>
      fixed ? json(res, 200, { stored: true }) : json(res, 400, { error: "bad field" }),
    );
    const flowId = await publishedFlow({
      ...ctx(),
      graph: graph(
        [
          ["start", "trigger.manual"],
          ["audit", "http.request", { method: "POST", url: `${target.url}/audit-6` }],
          ["store", "http.request", { method: "POST", url: `${target.url}/fragile-6` }],
        ],
        [
          ["start", "audit"],
          ["audit", "store"],
        ],
      ),
    });
    await worker();
    const { runId } = await startRun({
      db: env.db,
      queue: env.queue,
      workspaceId: seeded.workspace.id,
      flowId,
      trigger: "manual",
      body: { id: 9 },
    });
    const failed = await waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId });
    expect(failed.status).toBe("failed");
    fixed = true;
    const again = await rerunFromStep({
      db: env.db,
      queue: env.queue,
      workspaceId: seeded.workspace.id,
      runId,
      version: "current",
      stepKey: "store",
    });
    const rerun = await waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId: again.runId });
    expect(rerun.status).toBe("succeeded");
    expect(hits("/audit-6")).toBe(1);
    expect(rerun.steps.find((s) => s.key === "store")?.input?.body).toEqual({ audited: true });
    expect(rerun.messageId).toBe(failed.messageId);
  });

  it("runs at most the flow's max concurrent runs at once", async () => {
    let inFlight = 0;
    let peak = 0;
    target.route("/busy-7", (_req, res) => {
      peak = Math.max(peak, ++inFlight);
      setTimeout(() => {
        inFlight--;
        json(res, 200, {});
      }, 150);
    });
    const flowId = await publishedFlow({
      ...ctx(),
      graph: graph(
        [
          ["start", "trigger.manual"],
          ["call", "http.request", { url: `${target.url}/busy-7` }],
        ],
        [["start", "call"]],
      ),
    });
    await updateFlow({ ...ctx(), flowId, maxConcurrentRuns: 1 });
    await worker();
    const ids = await Promise.all(
      Array.from(
        { length: 5 },
        async () =>
          (
            await startRun({
              db: env.db,
              queue: env.queue,
              workspaceId: seeded.workspace.id,
              flowId,
              trigger: "manual",
              body: {},
            })
          ).runId,
      ),
    );
    const runs = await Promise.all(
      ids.map((runId) => waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId })),
    );
    expect(runs.every((r) => r.status === "succeeded")).toBe(true);
    expect(peak).toBe(1);
  });
});
