// Queue messages run in the worker that consumed them, when their flow's only outside effect is its last step
// (a queue → transform → database insert flow): the run goes through its steps in memory and is stored whole —
// the run, every step with its input and output, its message's idempotency key, the flow statistics — in one
// group-committed transaction, and only then is the message acknowledged. One commit per run, where the usual
// path takes two, a pickup and a queued job.
//
// Nothing is lost: until the commit the message is the broker's, and a worker lost meanwhile leaves it to be
// delivered again (as it would a run whose effect ran but whose checkpoint was not committed). What does not
// end cleanly here — a step fails or would retry, parks, or the run takes too long — is taken in the usual way
// and a worker runs it from its start: the steps before the effect had none, and the effect step is tried
// there under its retry policy (one attempt more than the policy counts, the one made here). Runs are claimed
// under the workspace's and the flow's concurrency limits like any other; when one is full, the message waits
// in the run queue as usual.
import {
  createFinishedRunStore,
  createKeyLookup,
  type FinishedRun,
  type RunIntake,
  type RunIntakeCall,
} from "@tributary/core";
import { runInMemory } from "@tributary/runner";
import type { RunDeps } from "../runs/run-deps.ts";
import { slotLimits } from "../runs/run-slots.ts";
import { stepServicesFor } from "../runs/step-services.ts";

/** No step starts after this long; a run still going is run by a worker from its start. */
const INLINE_BUDGET_MS = 5_000;

export function createInlineIntake(
  deps: RunDeps & {
    /** Takes in what does not run here: a worker runs it. */
    intake: RunIntake;
    /** Told of every run stored: alerts and metrics. */
    onRunEnded: (run: FinishedRun & { workspaceId: string }) => void;
  },
): RunIntake {
  const store = createFinishedRunStore({ db: deps.db });
  const seen = createKeyLookup({ db: deps.db });

  /** The run, stored; null when it is not for here or did not end cleanly (nothing of it is stored then). */
  async function runHere(call: RunIntakeCall): Promise<FinishedRun | null> {
    const { workspaceId, flowId, runId } = call;
    const { flow, compiled, fit } = await deps.preparedFlows({ workspaceId, versionId: call.versionId });
    if (!fit.effectLast) return null;
    const settings = await deps.settings({ workspaceId, flowId });
    if (!settings) return null;
    // The slot is claimed while the key is looked up; a message seen before gives it back at once, and so
    // does a lookup that failed (the message goes the usual way, where its run claims a slot of its own).
    const [claimed, lookedUp] = await Promise.allSettled([
      deps.slots.acquire({
        runId,
        limits: slotLimits({ keys: deps.keys, workspaceId, flowId, concurrency: settings.concurrency }),
      }),
      // A message seen before: the intake answers with its run (or refuses another body under its key).
      call.idempotency ? seen(workspaceId, { ...call, key: call.idempotency.key }) : false,
    ]);
    const claim = claimed.status === "fulfilled" ? claimed.value : null;
    const newMessage = lookedUp.status === "fulfilled" && !lookedUp.value;
    if (claim && !newMessage) void deps.slots.release(claim).catch(() => undefined);
    if (claimed.status === "rejected") throw claimed.reason;
    if (lookedUp.status === "rejected") throw lookedUp.reason;
    if (!claim || !newMessage) return null;
    let ran: FinishedRun | null;
    try {
      const secrets = await deps.secrets({ workspaceId, version: settings.workspace.secretsVersion });
      const run = { id: runId, workspaceId, workspace: settings.workspace, limits: settings.limits };
      ran = await runInMemory({
        run: { ...call, limits: settings.limits },
        flow,
        // Any back-off parks, and a park sends the run to a worker: its retries are the worker's to make.
        services: stepServicesFor({ ...deps, parkBackoffsOverMs: 0 }, { run, secrets, compiled }),
        deadline: Date.now() + INLINE_BUDGET_MS,
        signal: AbortSignal.timeout(settings.limits.runTimeoutSeconds * 1000),
      });
    } finally {
      // Not waited for: the store need not follow it. A claim not released (Redis away) lapses by itself.
      void deps.slots.release(claim).catch(() => undefined);
    }
    if (!ran) return null;
    // Another message with the same key committed meanwhile (only a source that sends a message again
    // before the first is acknowledged): this run is kept too, and the key stays the first's.
    await store(workspaceId, { ...ran, idempotency: call.idempotency ?? null });
    return ran;
  }

  return {
    async accept(call) {
      const ran = await runHere(call).catch((error: Error) => {
        // Run the usual way; if Postgres is out of reach, the intake says so and the message is not acked.
        deps.log.warn({ runId: call.runId, error: error.message }, "could not run the message here; queuing it");
        return null;
      });
      if (!ran) return deps.intake.accept(call);
      deps.onRunEnded({ ...ran, workspaceId: call.workspaceId });
      return { runId: call.runId, messageId: call.message.id, duplicate: false };
    },
  };
}
