// Stores runs that ran in memory once they ended: those of one workspace that end while a commit is under way
// share the next one (recordFinishedRuns: one multi-row insert, one disk flush).
import type { Db } from "@tributary/db";
import { createGroupCommit } from "./group-commit.ts";
import { type FinishedRun, recordFinishedRuns } from "./run-store.ts";

/** Resolves once the run is committed: true, or false when it was dropped, its key another run's (see FinishedRun). */
export type FinishedRunStore = (workspaceId: string, run: FinishedRun) => Promise<boolean>;

export function createFinishedRunStore({ db }: { db: Db }): FinishedRunStore {
  return createGroupCommit<FinishedRun, boolean>({
    // One store at a time: runs ending meanwhile gather into the next, a commit, a disk flush and a rollup
    // shared by twice as many (measured: ≈ 10 % less machine CPU per message from RabbitMQ to Postgres, ≈ 10 %
    // more sync and async webhook calls a second, lower p99).
    maxInFlight: 1,
    async flush(workspaceId, runs) {
      const dropped = await recordFinishedRuns({ db, workspaceId, runs });
      return runs.map((run) => !dropped.has(run.runId));
    },
  });
}
