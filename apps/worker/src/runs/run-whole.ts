// New runs of flows whose steps have no outside effects and never wait (transform → branch → code, say) run
// whole in memory: the worker reads the run without taking it up, runs its steps, and stores its end, every
// step with its input and output, and the flow statistics in one commit — no pickup, no lease, one
// transaction where the usual path takes two. Running such steps again changes nothing, so a worker lost
// meanwhile loses nothing (the run is still queued, and its job comes back), and the store only takes a run
// that is still new: one cancelled, or taken up by another worker meanwhile, is left as it is.
//
// What does not end cleanly here — a step fails or would retry, or the run takes longer than WHOLE_BUDGET_MS —
// runs the usual way from its start, with its retries, alerts and dead letters. Test runs go the usual way too:
// the builder follows their steps live. Until it is stored such a run shows as queued, and a sync caller gets
// its answer when it is stored.
import type { FinishedRun, NewRun, RunSettings } from "@tributary/core";
import { runInMemory } from "@tributary/runner";
import { callerWaits } from "./caller-waits.ts";
import type { RunDeps } from "./run-deps.ts";
import type { RunPersistence } from "./run-persistence.ts";
import { stepServicesFor } from "./step-services.ts";

/** No step starts after this long; a run still going then runs the usual way from its start. */
const WHOLE_BUDGET_MS = 5_000;

/** Stored (tell who waits), gone meanwhile (cancelled or taken up elsewhere: nothing to do), or null (not for here). */
export type WholeRun = { kind: "stored"; run: NewRun; ran: FinishedRun; callerWaits: boolean } | { kind: "gone" };

export function createWholeRuns(deps: RunDeps & { persistence: RunPersistence; stopping: () => boolean }) {
  const prepared = async (workspaceId: string, versionId: string) => {
    const version = await deps.preparedFlows({ workspaceId, versionId });
    return version.fit.whole ? version : null;
  };

  async function runWhole(
    { workspaceId, flowId, runId }: { workspaceId: string; flowId: string; runId: string },
    settings: RunSettings,
  ): Promise<WholeRun | null> {
    // Judged by the published version first, so runs of other flows cost no extra read.
    if (deps.stopping() || !settings.versionId || !(await prepared(workspaceId, settings.versionId))) return null;
    const run = await deps.persistence.readNew(workspaceId, runId);
    if (!run || run.isTest) return null;
    const version = await prepared(workspaceId, run.flowVersionId);
    if (!version) return null;
    const { flow, compiled } = version;
    const { limits, workspace } = settings;
    const secrets = await deps.secrets({ workspaceId, version: workspace.secretsVersion });
    const ran = await runInMemory({
      run: {
        runId,
        workspaceId,
        flowId,
        versionId: run.flowVersionId,
        trigger: run.trigger,
        triggerStepId: run.triggerStepId,
        message: run.input,
        limits,
      },
      flow,
      // Any back-off parks, and a park sends the run the usual way: its retries are made there.
      services: stepServicesFor(
        { ...deps, parkBackoffsOverMs: 0 },
        { run: { id: runId, workspaceId, workspace, limits }, secrets, compiled },
      ),
      // Within the lease's length too: the concurrency slot claimed for the run lives twice that, unrenewed.
      deadline: Date.now() + Math.min(WHOLE_BUDGET_MS, deps.persistence.leaseMs, limits.runTimeoutSeconds * 1000),
      signal: AbortSignal.timeout(limits.runTimeoutSeconds * 1000),
    });
    if (!ran) return null;
    if (!(await deps.persistence.storeWhole(workspaceId, ran))) return { kind: "gone" };
    return { kind: "stored", run, ran, callerWaits: callerWaits(flow, run.triggerStepId) };
  }

  return async function tryRunWhole(
    job: { workspaceId: string; flowId: string; runId: string },
    settings: RunSettings,
  ): Promise<WholeRun | null> {
    try {
      return await runWhole(job, settings);
    } catch (error) {
      // Nothing of it was stored, or it was and is no longer new: the usual path finds out which.
      deps.log.warn(
        { runId: job.runId, error: (error as Error).message },
        "could not run the run whole; running it the usual way",
      );
      return null;
    }
  };
}
