// The worker's reads and writes of runs, group-committed: runs of one workspace taken up at the same moment
// share one pickup, and their commits (checkpoints, responses, parks, ends) share one transaction, so a busy
// worker pays one database round trip and one disk flush per batch instead of per run. New runs run whole in
// memory are read and stored the same way, without being taken up.
import { randomUUID } from "node:crypto";
import {
  commitRuns,
  createGroupCommit,
  type Db,
  type FinishedRun,
  finishNewRuns,
  type NewRun,
  type NotPickedUp,
  pickUpRuns,
  type RunCommit,
  type RunToExecute,
  readNewRuns,
  renewRunLeases,
} from "@tributary/core";

export type RunPersistence = ReturnType<typeof createRunPersistence>;

export function createRunPersistence({ db, leaseMs }: { db: Db; leaseMs: number }) {
  const pickUps = createGroupCommit<string, RunToExecute | NotPickedUp>({
    async flush(workspaceId, runIds) {
      // Two jobs of one run in one batch: the second finds it held.
      const unique = [...new Set(runIds)];
      const picked = await pickUpRuns({ db, workspaceId, runIds: unique, owner: randomUUID(), leaseMs });
      const seen = new Set<string>();
      return runIds.map((id) => {
        if (seen.has(id)) return "held";
        seen.add(id);
        return picked.get(id) ?? "gone";
      });
    },
  });
  const commits = createGroupCommit<RunCommit, boolean>({
    async flush(workspaceId, batch) {
      const owned = await commitRuns({ db, workspaceId, commits: batch });
      return batch.map((commit) => owned.has(commit.runId));
    },
  });
  const renewals = createGroupCommit<{ runId: string; owner: string }, boolean>({
    async flush(workspaceId, leases) {
      const held = await renewRunLeases({ db, workspaceId, leases, leaseMs });
      return leases.map((lease) => held.has(lease.runId));
    },
  });
  const newRuns = createGroupCommit<string, NewRun | null>({
    async flush(workspaceId, runIds) {
      const found = await readNewRuns({ db, workspaceId, runIds: [...new Set(runIds)] });
      return runIds.map((id) => found.get(id) ?? null);
    },
  });
  const wholeRuns = createGroupCommit<FinishedRun, boolean>({
    // One store at a time: runs ending meanwhile gather into the next, so a worker's Postgres spends less per
    // run (≈ a fifth less on the run-throughput benchmark, where these runs end a few at a time).
    maxInFlight: 1,
    async flush(workspaceId, runs) {
      const stored = await finishNewRuns({ db, workspaceId, runs });
      return runs.map((run) => stored.has(run.runId));
    },
  });
  return {
    leaseMs,
    /** The run if no worker has taken it up yet (queued, no step run), read without taking it; else null. */
    readNew: (workspaceId: string, runId: string) => newRuns(workspaceId, runId),
    /** Stores a new run that ran whole; false when it was cancelled or taken up meanwhile (nothing stored). */
    storeWhole: (workspaceId: string, run: FinishedRun) => wholeRuns(workspaceId, run),
    /** Takes a run up under a new lease; "held" when another worker runs it now, "gone" when it ended. */
    pickUp: (workspaceId: string, runId: string) => pickUps(workspaceId, runId),
    /** Commits what a run did; false when the run is no longer this worker's (cancelled, or taken over). */
    commit: (workspaceId: string, commit: Omit<RunCommit, "leaseMs">) => commits(workspaceId, { ...commit, leaseMs }),
    /** Keeps a long-working run's lease; false when the run is no longer this worker's. */
    renew: (workspaceId: string, lease: { runId: string; owner: string }) => renewals(workspaceId, lease),
  };
}
