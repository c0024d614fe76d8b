// The sweeper: Postgres is the source of truth and Redis the transport, so losing Redis loses time, never data.
// Runs queued (or due to wake) in Postgres whose job Redis does not have are enqueued again; runs "running"
// past their plan's timeout are failed with the reason. Also corrects the fair queue's backlog counters.
import { type Db, Prisma, scoped } from "@tributary/db";
import type { JobQueue } from "@tributary/queue";

export type SweepReport = { reenqueued: number; failed: number };

type Candidate = { workspace_id: string; run_id: string; status: "queued" | "waiting" | "running"; overdue: boolean };

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
    SELECT workspace_id::text, run_id::text, status::text, overdue FROM system_runs_to_sweep(${staleBefore}, ${batch})`;
  const report: SweepReport = { reenqueued: 0, failed: 0 };
  for (const candidate of candidates) {
    if (candidate.overdue) {
      const failed = await scoped(db, { workspaceId: candidate.workspace_id }, (tx) =>
        tx.run.updateMany({
          where: { id: candidate.run_id, status: "running" },
          data: {
            status: "failed",
            finishedAt: new Date(),
            park: Prisma.DbNull,
            error: {
              message: "The run went past its plan's time limit without finishing, and was stopped.",
              code: "run_timeout",
            },
          },
        }),
      );
      report.failed += failed.count;
      continue;
    }
    // Running but not overdue: its worker may have died; BullMQ's stalled check hands it to another worker if
    // its job exists. A running run with no job at all is enqueued again.
    if (await queue.hasJob({ queue: "runs", jobId: candidate.run_id })) continue;
    await queue.enqueueRun({ workspaceId: candidate.workspace_id, runId: candidate.run_id });
    report.reenqueued++;
  }
  const queued = await db.$queryRaw<{ workspace_id: string; queued: bigint }[]>`
    SELECT workspace_id::text, queued FROM system_queued_run_counts()`;
  for (const { workspace_id, queued: depth } of queued)
    await queue.resetBacklog({ workspaceId: workspace_id, depth: Number(depth) });
  return report;
}
