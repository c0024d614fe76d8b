// The run executors' one line to alerts (the worker's, and sync webhooks' inline runs): after a run's end is
// committed, queue the evaluation of the alert rules that could apply to it, and only then. Which events a
// workspace's rules watch is cached for a few seconds, so runs of workspaces without rules cost a map lookup
// and nothing goes to Redis for them.
import { type AlertWatch, alertWatches, type Db, type JobQueue, type RunEnd, type RunToExecute } from "@tributary/core";

/** How long a workspace's rules are taken as read; a new rule applies to runs ending after it. */
const WATCHES_TTL_MS = 5_000;

export type RunEndedHook = (run: Pick<RunToExecute, "id" | "workspaceId" | "flowId">, result: RunEnd) => void;

export function createAlertHook({
  db,
  queue,
  log,
}: {
  db: Db;
  queue: JobQueue;
  log: { warn(fields: Record<string, unknown>, message: string): void };
}): RunEndedHook {
  const cache = new Map<string, { at: number; watches: Promise<AlertWatch[]> }>();

  function watchesOf(workspaceId: string): Promise<AlertWatch[]> {
    const cached = cache.get(workspaceId);
    if (cached && Date.now() - cached.at < WATCHES_TTL_MS) return cached.watches;
    const watches = alertWatches({ db, workspaceId });
    cache.set(workspaceId, { at: Date.now(), watches });
    // A failed read is not kept: the next run asks again.
    watches.catch(() => cache.delete(workspaceId));
    if (cache.size > 10_000) cache.delete(cache.keys().next().value as string);
    return watches;
  }

  return (run, result) => {
    void (async () => {
      const watches = await watchesOf(run.workspaceId);
      const applies = watches.some(
        ({ event, flowId }) =>
          (flowId === null || flowId === run.flowId) &&
          (event === "run_slow" ||
            event === "run_handled_errors" ||
            (event === "run_failed" && result.status === "failed")),
      );
      if (!applies) return;
      await queue.enqueue(
        "alerts.run-ended",
        { schemaVersion: 1, workspaceId: run.workspaceId, runId: run.id },
        { jobId: `alert~${run.id}` },
      );
    })().catch((error: Error) =>
      log.warn({ runId: run.id, error: error.message }, "could not queue the run's alert evaluation"),
    );
  };
}
