// Cancelling a run ends it at once in Postgres, with the runs it called that still wait or work (they serve
// nobody now). A worker running one of them learns of it within seconds, when it renews its lease, and stops
// before its next step; the run that called a cancelled run is woken to take the failure on its error path.
import { type Db, sqlInWorkspace } from "@tributary/db";
import type { JobQueue } from "@tributary/queue";
import { z } from "zod";
import { AppError, notFound } from "../errors/app-error.ts";

export const runIdInput = z.object({ runId: z.uuid() });

export async function cancelRun({
  db,
  queue,
  workspaceId,
  runId,
}: { db: Db; queue: JobQueue; workspaceId: string } & z.output<typeof runIdInput>): Promise<void> {
  const parent = await sqlInWorkspace(db.sql, workspaceId, async (client) => {
    const { rows } = await client.query<{
      status: string;
      parent_run_id: string | null;
      parent_flow_id: string | null;
    }>(
      `SELECT r.status, r.parent_run_id, p.flow_id AS parent_flow_id
         FROM runs r LEFT JOIN runs p ON p.id = r.parent_run_id WHERE r.id = $1 FOR UPDATE OF r`,
      [runId],
    );
    const run = rows[0];
    if (!run) throw notFound("That run");
    if (run.status === "succeeded" || run.status === "failed" || run.status === "cancelled") {
      throw new AppError("PRECONDITION_FAILED", `The run already ended (${run.status}); nothing to cancel.`);
    }
    await client.query(
      `WITH RECURSIVE family AS (
         SELECT id, 0 AS depth FROM runs WHERE id = $1
         UNION ALL
         SELECT r.id, f.depth + 1 FROM runs r JOIN family f ON r.parent_run_id = f.id WHERE f.depth < 100
       )
       UPDATE runs SET status = 'cancelled', finished_at = now(), parks = NULL, wake_at = NULL, lease_until = NULL,
              error = CASE WHEN id = $1 THEN '{"message": "Cancelled by a user."}'::jsonb
                           ELSE '{"message": "Cancelled with the run that called it."}'::jsonb END
        WHERE id IN (SELECT id FROM family) AND status IN ('queued', 'waiting', 'running')`,
      [runId],
    );
    return run.parent_run_id && run.parent_flow_id ? { runId: run.parent_run_id, flowId: run.parent_flow_id } : null;
  });
  if (parent) {
    await queue
      .enqueueRun({ workspaceId, flowId: parent.flowId, runId: parent.runId, jobId: `${parent.runId}~child~${runId}` })
      .catch(() => undefined);
  }
}
