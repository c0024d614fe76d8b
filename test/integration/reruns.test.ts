// Re-runs after a fix: one run on the current version (the default) or the one it used, a filtered set of
// failed runs in bulk with its progress kept; and versions numbered from 1 however many test runs came first.
import {
  createFlow,
  getBulkRerun,
  getRun,
  listFlowVersions,
  publishFlow,
  rerun,
  rerunFromStep,
  saveFlowDraft,
  saveFlowPins,
  startBulkRerun,
  startRun,
  testStep,
} from "@tributary/core";
import { scoped } from "@tributary/db";
import type { FlowGraph } from "@tributary/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph, publishedFlow, waitForRun } from "../support/run-helpers.ts";
import { startWorker, type WorkerProcess } from "../support/worker-process.ts";

const env = useTestEnvironment();
let seeded: SeededWorkspace;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  seeded = await seedWorkspace({ db: env.db });
  await scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
    tx.workspace.update({ where: { id: seeded.workspace.id }, data: { planId: "team" } }),
  );
  worker = await startWorker({ databaseUrl: env.databaseUrl, redisPrefix: env.redisPrefix });
});
afterAll(async () => {
  await worker?.stop();
});

const ctx = () => ({ db: env.db, workspaceId: seeded.workspace.id, actor: seeded.owner.actor });
/** A flow whose one step checks the order: broken in the first version, fixed in the next. */
const checkOrder = (expression: string): FlowGraph =>
  graph(
    [
      ["start", "trigger.manual"],
      ["check", "data.transform", { expression }],
    ],
    [["start", "check"]],
  );
const BROKEN = "$error('the total field is missing')";
const FIXED = "{ 'ok': true, 'order': order }";

async function publishFix(flowId: string) {
  const flow = await scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
    tx.flow.findUniqueOrThrow({ where: { id: flowId } }),
  );
  await saveFlowDraft({ ...ctx(), flowId, graph: checkOrder(FIXED), baseRevision: flow.draftRevision });
  return publishFlow({ ...ctx(), flowId });
}

const ended = (runId: string) => waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId, timeoutMs: 60_000 });

describe("re-runs", () => {
  it("re-runs a failed run on the current version after a fix, or on the version it used", async () => {
    const flowId = await publishedFlow({ ...ctx(), graph: checkOrder(BROKEN), name: "Orders" });
    const { runId } = await startRun({ ...ctx(), queue: env.queue, flowId, trigger: "manual", body: { order: 7 } });
    expect((await ended(runId)).status).toBe("failed");
    expect((await publishFix(flowId)).number).toBe(2);

    const onCurrent = await rerun({ ...ctx(), queue: env.queue, runId, version: "current" });
    const fixed = await ended(onCurrent.runId);
    expect(fixed).toMatchObject({ status: "succeeded", version: 2, rerunOfId: runId });
    expect(fixed.output?.body).toEqual({ ok: true, order: 7 });
    expect(fixed.messageId).toBe((await getRun({ ...ctx(), runId })).messageId);

    const onOriginal = await rerun({ ...ctx(), queue: env.queue, runId, version: "original" });
    expect(await ended(onOriginal.runId)).toMatchObject({ status: "failed", version: 1 });
  });

  it("re-runs 100 failed runs of a flow in bulk, showing its progress until all are through", async () => {
    const flowId = await publishedFlow({ ...ctx(), graph: checkOrder(BROKEN), name: "Bulk orders" });
    const failed: string[] = [];
    for (let order = 0; order < 100; order++) {
      failed.push((await startRun({ ...ctx(), queue: env.queue, flowId, trigger: "manual", body: { order } })).runId);
    }
    for (const runId of failed) expect((await ended(runId)).status).toBe("failed");
    await publishFix(flowId);

    const started = await startBulkRerun({
      ...ctx(),
      queue: env.queue,
      filter: { flowId, status: "failed" },
      version: "current",
    });
    expect(started).toMatchObject({ total: 100, done: 0, status: "running" });
    const seen = new Set<number>();
    const deadline = Date.now() + 120_000;
    let progress = started;
    while (progress.status === "running") {
      if (Date.now() > deadline) throw new Error(`The bulk re-run did not finish: ${JSON.stringify(progress)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      progress = await getBulkRerun({ ...ctx(), bulkRerunId: started.id });
      seen.add(progress.done);
    }
    expect(progress).toMatchObject({ status: "succeeded", total: 100, done: 100, failed: 0 });
    // Progress was shown on the way, not only at the end.
    expect([...seen].some((done) => done > 0 && done < 100)).toBe(true);

    const reruns = await scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
      tx.run.findMany({ where: { flowId, rerunOfId: { in: failed } }, select: { id: true, rerunOfId: true } }),
    );
    expect(new Set(reruns.map((r) => r.rerunOfId)).size).toBe(100);
    expect(reruns).toHaveLength(100);
    for (const { id } of reruns) expect((await ended(id)).status).toBe("succeeded");
  }, 240_000);
});

describe("every digit", () => {
  // 17 significant digits: the ORM's JSON writes rounded this one to 0.2724821833449624.
  const EXACT = 0.27248218334496244;
  const twoSteps = graph(
    [
      ["start", "trigger.manual"],
      ["first", "data.transform", { expression: "{ 'x': x, 'made': 0.27248218334496244 }" }],
      ["second", "data.transform", { expression: "{ 'x': x, 'made': made }" }],
    ],
    [
      ["start", "first"],
      ["first", "second"],
    ],
  );

  it("keeps a started run's message, a re-run's copied steps and pinned samples exactly as given", async () => {
    const flowId = await publishedFlow({ ...ctx(), graph: twoSteps, name: "Exact numbers" });
    const { runId } = await startRun({ ...ctx(), queue: env.queue, flowId, trigger: "manual", body: { x: EXACT } });
    const first = await ended(runId);
    expect(first.status).toBe("succeeded");
    expect(first.input.body).toEqual({ x: EXACT });
    expect(first.output?.body).toEqual({ x: EXACT, made: EXACT });

    const again = await rerunFromStep({ ...ctx(), queue: env.queue, runId, stepKey: "second", version: "current" });
    const rerun = await ended(again.runId);
    expect(rerun.status).toBe("succeeded");
    expect(rerun.input.body).toEqual({ x: EXACT });
    expect(rerun.steps.map((step) => step.key)).toEqual(["start", "first", "second"]);
    expect(rerun.steps[1]?.output?.body).toEqual({ x: EXACT, made: EXACT });
    expect(rerun.output?.body).toEqual({ x: EXACT, made: EXACT });

    const pins = { first: { body: { x: EXACT, made: EXACT }, headers: [] } };
    await saveFlowPins({ ...ctx(), flowId, pins });
    const stored = await scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
      tx.flow.findUniqueOrThrow({ where: { id: flowId }, select: { pins: true } }),
    );
    expect(stored.pins).toEqual(pins);
    const tested = await testStep({
      ...ctx(),
      queue: env.queue,
      flowId,
      stepId: "second",
      input: { body: { x: EXACT, made: EXACT }, headers: [] },
      steps: pins,
    });
    const test = await ended(tested.runId);
    expect(test.status).toBe("succeeded");
    expect(test.steps.find((step) => step.key === "first")?.output?.body).toEqual({ x: EXACT, made: EXACT });
    expect(test.output?.body).toEqual({ x: EXACT, made: EXACT });
  });
});

describe("versions", () => {
  it("numbers the first publish 1 even after test runs of the draft, and lists every published version", async () => {
    const { id } = await createFlow({ ...ctx(), name: "Tested first", description: "", graph: checkOrder(FIXED) });
    for (let i = 0; i < 2; i++) {
      const test = await startRun({ ...ctx(), queue: env.queue, flowId: id, trigger: "test", body: {}, isTest: true });
      expect((await ended(test.runId)).status).toBe("succeeded");
    }
    expect((await publishFlow({ ...ctx(), flowId: id })).number).toBe(1);
    expect((await publishFix(id)).number).toBe(2);
    const versions = await listFlowVersions({ db: env.db, workspaceId: seeded.workspace.id, flowId: id });
    expect(versions.map((v) => v.number)).toEqual([2, 1]);
  });
});
