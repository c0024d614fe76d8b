// One workspace flooding the queue must not starve the others: A queues 5,000 runs, then B queues 50. Runs
// are prioritised by their position in their own workspace's backlog, so B's runs interleave with A's.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { type Prisma, scoped } from "@tributary/db";
import { afterAll, describe, expect, it } from "vitest";
import { seedWorkspace } from "../factories/seed.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph, publishedFlow } from "../support/run-helpers.ts";
import { startWorker, type WorkerProcess } from "../support/worker-process.ts";

const env = useTestEnvironment();
let worker: WorkerProcess | undefined;
afterAll(async () => {
  await worker?.stop();
});

/** Queues `count` runs of a flow the way startRun does (committed, then enqueued), in bulk for speed. */
async function queueRuns({ workspaceId, flowId, count }: { workspaceId: string; flowId: string; count: number }) {
  const version = await scoped(env.db, { workspaceId }, (tx) =>
    tx.flow.findUniqueOrThrow({ where: { id: flowId }, select: { currentVersionId: true } }),
  );
  const ids = Array.from({ length: count }, () => randomUUID());
  const rows: Prisma.RunCreateManyInput[] = ids.map((id, n) => ({
    id,
    workspaceId,
    flowId,
    flowVersionId: version.currentVersionId ?? "",
    trigger: "manual",
    triggerStepId: "start",
    messageId: id,
    input: { id, headers: [], body: { n } },
  }));
  for (let i = 0; i < rows.length; i += 1_000) {
    await scoped(env.db, { workspaceId }, (tx) => tx.run.createMany({ data: rows.slice(i, i + 1_000) }));
  }
  for (let i = 0; i < ids.length; i += 200) {
    await env.queue.enqueueRuns(ids.slice(i, i + 200).map((runId) => ({ workspaceId, flowId, runId })));
  }
  return ids;
}

async function finished(workspaceId: string): Promise<number> {
  return scoped(env.db, { workspaceId }, (tx) => tx.run.count({ where: { workspaceId, status: "succeeded" } }));
}

describe("fairness across workspaces", () => {
  it("B's 50 runs finish long before A's backlog of 5,000 does", async () => {
    const a = await seedWorkspace({ db: env.db, name: "Flooder" });
    const b = await seedWorkspace({ db: env.db, name: "Neighbour" });
    const flow = graph(
      [
        ["start", "trigger.manual"],
        ["t", "data.transform", { expression: "n + 1" }],
      ],
      [["start", "t"]],
    );
    const flowA = await publishedFlow({ db: env.db, workspaceId: a.workspace.id, actor: a.owner.actor, graph: flow });
    const flowB = await publishedFlow({ db: env.db, workspaceId: b.workspace.id, actor: b.owner.actor, graph: flow });
    await queueRuns({ workspaceId: a.workspace.id, flowId: flowA, count: 5_000 });
    await queueRuns({ workspaceId: b.workspace.id, flowId: flowB, count: 50 });

    worker = await startWorker({
      databaseUrl: env.databaseUrl,
      redisPrefix: env.redisPrefix,
      env: { WORKER_CONCURRENCY: "20" },
    });
    let aDoneWhenBDone = -1;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const [doneA, doneB] = await Promise.all([finished(a.workspace.id), finished(b.workspace.id)]);
      if (doneB === 50) {
        aDoneWhenBDone = doneA;
        break;
      }
      await sleep(25);
    }
    // The bound reached: B was through while A had finished at most 10% of its backlog (typically ~1–2%).
    console.log(`fairness: when B's 50 runs were done, A had finished ${aDoneWhenBDone} of 5000`);
    expect(aDoneWhenBDone).toBeGreaterThanOrEqual(0);
    expect(aDoneWhenBDone).toBeLessThan(500);
  }, 180_000);
});
