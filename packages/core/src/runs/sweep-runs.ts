// The sweeper: Postgres is the source of truth and Redis the transport, so losing Redis loses time, never data.
// Runs queued (or due to wake) in Postgres whose job Redis lost, or whose job failed (Postgres was down while
// it ran), or whose worker was lost with no job left to resume it, are queued again; runs "running" past
// their plan's timeout are failed with the reason. Also corrects the fair queue's backlog counters.
import { type Db, Prisma, scoped } from "@tributary/db";
import type { JobQueue } from "@tributary/queue";
import { rollUpFinishedRuns } from "../statistics/roll-up-runs.ts";

export type SweepReport = { reenqueued: number; failed: number };

type Candidate = { workspace_id: string; flow_id: string; run_id: string; overdue: boolean };

export async function sweepRuns({
  db,
  queue,
  staleAfterMs = 30_000,
  batch = 1_000,
}: {
  db: Db;
  queue: JobQueue;
  /** Only runs older than this are considered: younger ones are normally on their way. */
  staleAfterMs?: number;
  batch?: number;
}): Promise<SweepReport> {
  const staleBefore = new Date(Date.now() - staleAfterMs);
  const candidates = await db.$queryRaw<Candidate[]>`
    SELECT workspace_id::text, flow_id::text, run_id::text, overdue FROM system_runs_to_sweep(${staleBefore}, ${batch})`;
  const report: SweepReport = { reenqueued: 0, failed: 0 };
  for (const candidate of candidates) {
    if (candidate.overdue) {
      const failed = await scoped(db, { workspaceId: candidate.workspace_id }, async (tx) => {
        const stopped = await tx.run.updateMany({
          where: { id: candidate.run_id, status: "running" },
          data: {
            status: "failed",
            finishedAt: new Date(),
            parks: Prisma.DbNull,
            leaseOwner: null,
            leaseUntil: null,
            error: {
              message: "The run went past its plan's time limit without finishing, and was stopped.",
              code: "run_timeout",
            },
          },
        });
        if (stopped.count > 0)
          await rollUpFinishedRuns((sql, params) => tx.$executeRawUnsafe(sql, ...params), [candidate.run_id]);
        return stopped;
      });
      report.failed += failed.count;
      continue;
    }
    // A live job (waiting, delayed, active) takes care of the run; a failed or finished one under the run's
    // id is removed so that the new one is not ignored.
    const queued = await queue.requeueRun({
      workspaceId: candidate.workspace_id,
      flowId: candidate.flow_id,
      runId: candidate.run_id,
    });
    if (queued === "queued") report.reenqueued++;
  }
  const queued = await db.$queryRaw<{ workspace_id: string; queued: bigint }[]>`
    SELECT workspace_id::text, queued FROM system_queued_run_counts()`;
  for (const { workspace_id, queued: depth } of queued)
    await queue.resetBacklog({ workspaceId: workspace_id, depth: Number(depth) });
  return report;
}
