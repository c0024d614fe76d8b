// Retention, and the workspace's error flow (an alert rule that starts a flow).
import {
  createAlertRule,
  createSecretBox,
  deleteExpiredRuns,
  getFlowStatistics,
  startRun,
  sweepRuns,
  uuidV7Floor,
} from "@tributary/core";
import { type Prisma, scoped } from "@tributary/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedWorkspace } from "../factories/seed.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph, publishedFlow, waitForRun } from "../support/run-helpers.ts";
import { startWorker, TEST_ENCRYPTION_KEY, type WorkerProcess } from "../support/worker-process.ts";

const env = useTestEnvironment();
let worker: WorkerProcess;
beforeAll(async () => {
  worker = await startWorker({ databaseUrl: env.databaseUrl, redisPrefix: env.redisPrefix });
});
afterAll(async () => {
  await worker?.stop();
});

/** A UUIDv7 of a given moment, as runs created then would have. */
function idAt(date: Date, n: number): string {
  const floor = uuidV7Floor(date);
  return `${floor.slice(0, 24)}${n.toString(16).padStart(12, "0")}`;
}

describe("retention", () => {
  it("deletes ended runs older than the plan keeps, with their steps, in batches; keeps the rest", async () => {
    const { workspace, owner } = await seedWorkspace({ db: env.db });
    const flowId = await publishedFlow({
      db: env.db,
      workspaceId: workspace.id,
      actor: owner.actor,
      graph: graph([["start", "trigger.manual"]], []),
    });
    const versionId =
      (
        await scoped(env.db, { workspaceId: workspace.id }, (tx) =>
          tx.flow.findUniqueOrThrow({ where: { id: flowId } }),
        )
      ).currentVersionId ?? "";
    const old = new Date(Date.now() - 40 * 24 * 3600 * 1000); // the free plan keeps 30 days
    const recent = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    const row = (id: string, status: "succeeded" | "running"): Prisma.RunCreateManyInput => ({
      id,
      workspaceId: workspace.id,
      flowId,
      flowVersionId: versionId,
      status,
      trigger: "manual",
      triggerStepId: "start",
      messageId: id,
      input: { id, headers: [], body: null },
    });
    const oldIds = Array.from({ length: 25 }, (_, n) => idAt(old, n + 1));
    const stillRunning = idAt(old, 100);
    const recentIds = Array.from({ length: 5 }, (_, n) => idAt(recent, n + 1));
    await scoped(env.db, { workspaceId: workspace.id }, async (tx) => {
      await tx.run.createMany({
        data: [
          ...oldIds.map((id) => row(id, "succeeded")),
          row(stillRunning, "running"),
          ...recentIds.map((id) => row(id, "succeeded")),
        ],
      });
      await tx.stepRun.createMany({
        data: oldIds.map((runId) => ({
          workspaceId: workspace.id,
          runId,
          activationKey: "start",
          stepId: "start",
          stepType: "trigger.manual",
          status: "succeeded" as const,
          startedAt: old,
          finishedAt: old,
          durationMs: 0,
        })),
      });
    });
    const { deleted } = await deleteExpiredRuns({ db: env.db, batchSize: 10 });
    expect(deleted).toBeGreaterThanOrEqual(25);
    const left = await scoped(env.db, { workspaceId: workspace.id }, async (tx) => ({
      runs: (await tx.run.findMany({ select: { id: true } })).map((r) => r.id).sort(),
      steps: await tx.stepRun.count(),
    }));
    expect(left.runs).toEqual([stillRunning, ...recentIds].sort());
    expect(left.steps).toBe(0);
  });
});

describe("sweeper", () => {
  it("fails a run stuck running past its plan's time limit, with the reason", async () => {
    const { workspace, owner } = await seedWorkspace({ db: env.db });
    const flowId = await publishedFlow({
      db: env.db,
      workspaceId: workspace.id,
      actor: owner.actor,
      graph: graph([["start", "trigger.manual"]], []),
    });
    const { runId } = await startRun({
      db: env.db,
      queue: env.queue,
      workspaceId: workspace.id,
      flowId,
      trigger: "manual",
      body: {},
    });
    await waitForRun({ db: env.db, workspaceId: workspace.id, runId });
    // Make it look like a run whose worker froze two hours ago (the free plan allows one hour).
    await scoped(env.db, { workspaceId: workspace.id }, (tx) =>
      tx.run.update({
        where: { id: runId },
        data: { status: "running", finishedAt: null, pickedAt: new Date(Date.now() - 2 * 3600 * 1000) },
      }),
    );
    const report = await sweepRuns({ db: env.db, queue: env.queue, staleAfterMs: 1_000 });
    expect(report.failed).toBeGreaterThanOrEqual(1);
    const run = await waitForRun({ db: env.db, workspaceId: workspace.id, runId });
    expect(run).toMatchObject({ status: "failed", error: { code: "run_timeout" } });
    // The flow's statistics count the stopped run as a failure (beside its first, successful end above).
    const statistics = await getFlowStatistics({ db: env.db, workspaceId: workspace.id, flowId, period: "1h" });
    expect(statistics.summary["1h"]).toMatchObject({ runs: 2, failures: 1 });
  });
});

describe("error flow", () => {
  it("starts the workspace's error flow with the failed run's details", async () => {
    const { workspace, owner } = await seedWorkspace({ db: env.db });
    const errorFlowId = await publishedFlow({
      db: env.db,
      workspaceId: workspace.id,
      actor: owner.actor,
      name: "On failure",
      graph: graph(
        [
          ["start", "trigger.manual"],
          ["note", "data.transform", { expression: "'failed: ' & error.message" }],
        ],
        [["start", "note"]],
      ),
    });
    await createAlertRule({
      db: env.db,
      secretBox: createSecretBox({ currentKey: TEST_ENCRYPTION_KEY }),
      workspaceId: workspace.id,
      actor: owner.actor,
      name: "Error flow",
      flowId: null,
      event: "run_failed",
      threshold: null,
      channel: "flow",
      emailTo: [],
      targetFlowId: errorFlowId,
      intervalSeconds: 0,
      enabled: true,
    });
    const failing = await publishedFlow({
      db: env.db,
      workspaceId: workspace.id,
      actor: owner.actor,
      graph: graph(
        [
          ["start", "trigger.manual"],
          ["boom", "data.transform", { expression: "$error('card declined')" }],
        ],
        [["start", "boom"]],
      ),
    });
    const { runId } = await startRun({
      db: env.db,
      queue: env.queue,
      workspaceId: workspace.id,
      flowId: failing,
      trigger: "manual",
      body: {},
    });
    await waitForRun({ db: env.db, workspaceId: workspace.id, runId });
    const errorRun = await (async () => {
      for (let i = 0; i < 200; i++) {
        const found = await scoped(env.db, { workspaceId: workspace.id }, (tx) =>
          tx.run.findFirst({ where: { flowId: errorFlowId, trigger: "error" } }),
        );
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error("no error run");
    })();
    const done = await waitForRun({ db: env.db, workspaceId: workspace.id, runId: errorRun.id });
    expect(done.input.body).toMatchObject({ runId, flowId: failing });
    expect(done.output?.body).toMatch(/failed: .*card declined/);
  });
});
