// Executes (or resumes) one run: claims its concurrency slots, runs it whole if it is new and its steps allow
// (run-whole.ts), else takes it up under a lease, plans with the engine, runs ready activations, and commits.
// Steps without outside effects run in memory and are committed with whatever comes next; before a step runs,
// anything outside effects left behind (an external step's checkpoint, a response a caller waits for) is
// committed first, so a resumed run never repeats an external step and a caller never waits on steps that come
// after its answer. A run whose activations all wait (a delay, a back-off, a called flow) parks in Postgres and
// leaves the worker; it may park any number of times.

import { STEP_DEFINITIONS } from "@tributary/connectors";
import {
  type Checkpoint,
  isServiceUnavailable,
  type Park,
  type Parks,
  type RunCommit,
  type RunEnd,
  type RunEventHub,
  type RunLogEntry,
  type RunResponse,
  type RunToExecute,
  type RunTransition,
} from "@tributary/core";
import { type Activation, planRun, RunRecords } from "@tributary/engine";
import { executeStep, recordSynthetic, type StepOutcome } from "@tributary/runner";
import { queueDeadLetter } from "../dead-letters/send-dead-letter.ts";
import { callerWaits } from "./caller-waits.ts";
import type { RunDeps } from "./run-deps.ts";
import type { RunPersistence } from "./run-persistence.ts";
import { type SlotClaim, slotLimits } from "./run-slots.ts";
import { createWholeRuns } from "./run-whole.ts";
import { stepServicesFor } from "./step-services.ts";

/** After its worker was lost this many times, a run fails instead of taking another one down. */
export const MAX_LOST_WORKERS = 2;
const PARALLEL_STEPS = 16;

export type RunExecutorDeps = RunDeps & {
  events: RunEventHub;
  persistence: RunPersistence;
  stopping: () => boolean;
  /** Told of every run's committed end, without waiting (alerts queue their evaluation from here). */
  onRunEnded: (run: EndedRun, result: RunEnd) => void;
};

/** What is told of a run once its end is committed. */
type EndedRun = Pick<RunToExecute, "id" | "workspaceId" | "flowId" | "trigger" | "parentRunId" | "parentFlowId">;

/** "busy": a concurrency limit is full; "held": another worker runs it now. Both: try the job again shortly. */
export type ExecuteResult = "done" | "busy" | "held";

export function createRunExecutor(deps: RunExecutorDeps) {
  const { persistence, queue, events, log } = deps;
  // A run's lease (and slots) are renewed this often while it works; a cancel is noticed within it.
  const renewEveryMs = Math.min(2_000, Math.floor(persistence.leaseMs / 3));
  const runWhole = createWholeRuns(deps);

  return async function executeRun({
    workspaceId,
    flowId,
    runId,
  }: {
    workspaceId: string;
    flowId: string;
    runId: string;
  }): Promise<ExecuteResult> {
    const settings = await deps.settings({ workspaceId, flowId });
    // A deleted flow's run is claimed under the smallest limit: taking it up finds it gone.
    const concurrency = settings?.concurrency ?? { workspace: 1, flow: null };
    const claim = await deps.slots.acquire({
      runId,
      limits: slotLimits({ keys: deps.keys, workspaceId, flowId, concurrency }),
    });
    if (!claim) return "busy";
    try {
      const whole = settings ? await runWhole({ workspaceId, flowId, runId }, settings) : null;
      if (whole) {
        if (whole.kind === "stored") {
          const { run, ran } = whole;
          await ended({ ...run, workspaceId, flowId }, ran.result, whole.callerWaits ? ran.response : undefined);
        }
        return "done";
      }
      const run = await persistence.pickUp(workspaceId, runId);
      if (run === "held") return "held";
      if (run === "gone") return "done";
      try {
        await drive(run, claim);
      } catch (error) {
        await driveFailed(run, error);
      }
      return "done";
    } finally {
      await deps.slots.release(claim);
    }
  };

  /**
   * A run whose driving threw. Postgres or Redis out of reach: the run is handed back (if the database takes
   * it) and the job tried again later, so the outage costs time, not the run. Anything else is a fault of
   * ours: the run fails saying so, rather than coming back for ever.
   */
  async function driveFailed(run: RunToExecute, error: unknown) {
    const release = (transition: RunTransition) =>
      persistence.commit(run.workspaceId, {
        runId: run.id,
        owner: run.owner,
        runInput: run.input,
        checkpoints: [],
        transition,
      });
    if (isServiceUnavailable(error)) {
      await release({ status: "queued" }).catch(() => false);
      throw error;
    }
    log.error({ runId: run.id, error: (error as Error)?.stack ?? String(error) }, "run failed on an internal error");
    const failure = {
      status: "failed" as const,
      output: null,
      error: {
        message: `Tributary hit an error of its own while running this run (${(error as Error)?.message ?? String(error)}). Re-run it; if it happens again, report it with the run id.`,
        code: "internal_error",
      },
    };
    if (await release(failure).catch(() => false)) await ended(run, failure, null);
  }

  async function drive(run: RunToExecute, claim: SlotClaim) {
    const { workspaceId } = run;
    const commit = (fields: Omit<RunCommit, "runId" | "owner" | "runInput" | "leaseMs">) =>
      persistence.commit(workspaceId, { runId: run.id, owner: run.owner, runInput: run.input, ...fields });

    if (run.takeovers >= MAX_LOST_WORKERS) {
      const error = {
        message: `The worker running this run stopped (crashed or was killed) ${run.takeovers} times; it was not taken up again. Waits between steps do not count, only workers lost while running it. Re-run it once the cause is fixed.`,
        code: "worker_lost",
      };
      if (await commit({ checkpoints: [], transition: { status: "failed", output: null, error } })) {
        await ended(run, { status: "failed", output: null, error }, null);
      }
      return;
    }
    const { flow, compiled } = await deps.preparedFlows({ workspaceId, versionId: run.flowVersionId });
    const secrets = await deps.secrets({ workspaceId, version: run.workspace.secretsVersion });
    const services = stepServicesFor(deps, { run, secrets, compiled });
    const waits = callerWaits(flow, run.triggerStepId);
    const records = new RunRecords(run.records);
    const parks = new Map<string, Park>(Object.entries(run.parks));
    // Activations that parked during this pickup: they wait for the next one.
    const parkedNow = new Set<string>();
    const controller = new AbortController();
    const deadline = run.pickedAt.getTime() + run.limits.runTimeoutSeconds * 1000;

    // What is not committed yet: checkpoints, an unannounced response, log entries, and whether anything
    // in it had outside effects (then it is committed before the next step runs).
    let pending: Checkpoint[] = [];
    let response: RunResponse | null = null;
    let responseAnnounced = false;
    let hadErrors = false;
    let external = false;

    /** Commits what is pending; false when the run is no longer ours (cancelled, or taken over). */
    const flush = async (transition: RunTransition, log: RunLogEntry[] = []): Promise<boolean> => {
      const owned = await commit({
        checkpoints: pending,
        transition,
        response: responseAnnounced ? null : response,
        hadErrors,
        log,
      });
      pending = [];
      external = false;
      if (!owned) {
        controller.abort();
        return false;
      }
      if (response && !responseAnnounced && transition.status === "running") {
        events.publish({ type: "response", runId: run.id, response });
        responseAnnounced = true;
      }
      return true;
    };

    // A run that works for long keeps its lease and slots, and learns of a cancel, on a clock of its own:
    // a single step may take longer than the lease.
    const renewal = setInterval(() => {
      persistence.renew(workspaceId, { runId: run.id, owner: run.owner }).then(
        (owned) => {
          if (!owned) controller.abort();
        },
        () => undefined,
      );
      deps.slots.renew(claim).catch(() => undefined);
    }, renewEveryMs);
    try {
      await work();
    } finally {
      clearInterval(renewal);
    }

    async function work() {
      for (;;) {
        if (deps.stopping()) {
          // Handed back: another worker resumes after what is committed here.
          if (await flush({ status: "queued" }, [{ at: new Date().toISOString(), event: "handed_back" }])) {
            await queue.enqueueRun({
              workspaceId,
              flowId: run.flowId,
              runId: run.id,
              jobId: jobIdFor(run.id, "handback", Date.now()),
            });
            log.info({ runId: run.id }, "run handed back for another worker");
          }
          return;
        }
        if (Date.now() > deadline) {
          const error = {
            message: `The run went past its plan's limit of ${run.limits.runTimeoutSeconds} s and was stopped.`,
            code: "run_timeout",
          };
          await end({ status: "failed", output: null, error });
          return;
        }
        if (controller.signal.aborted) return;
        const plan = planRun(flow, { triggerStepId: run.triggerStepId, input: run.input, records });
        if (plan.synthetic.length) {
          pending.push(...recordSynthetic(flow, records, plan.synthetic));
          continue;
        }
        if (plan.status === "succeeded") {
          await end({ status: "succeeded", output: plan.output ?? null, error: null });
          return;
        }
        if (plan.status === "failed") {
          const error = {
            ...(plan.failure?.error ?? { message: "A step failed." }),
            ...(plan.failure ? { stepId: plan.failure.stepId, key: plan.failure.key } : {}),
          };
          await end({ status: "failed", output: null, error });
          return;
        }
        const now = Date.now();
        const runnable = plan.ready.filter((a) => !parkedNow.has(a.key) && !waitsLonger(parks.get(a.key), now));
        if (runnable.length === 0) {
          await park(plan.ready);
          return;
        }
        if (external || (response && !responseAnnounced)) {
          if (!(await flush({ status: "running" }))) return;
        }
        for (let i = 0; i < runnable.length; i += PARALLEL_STEPS) {
          const batch = runnable.slice(i, i + PARALLEL_STEPS);
          if (run.isTest) {
            for (const a of batch)
              events.publish({ type: "step", runId: run.id, key: a.key, stepId: a.stepId, status: "running" });
          }
          const outcomes = await Promise.all(
            batch.map((activation) =>
              executeStep({
                activation,
                flow,
                run,
                records,
                resumed: parks.get(activation.key),
                services,
                signal: controller.signal,
              }),
            ),
          );
          batch.forEach((activation, index) => {
            take(activation, outcomes[index] as StepOutcome);
          });
        }
      }
    }

    function take(activation: Activation, outcome: StepOutcome) {
      if (outcome.kind === "park") {
        parks.set(activation.key, outcome.park);
        parkedNow.add(activation.key);
        return;
      }
      const { checkpoint } = outcome;
      parks.delete(activation.key);
      records.add(checkpoint);
      pending.push(checkpoint);
      if (checkpoint.status === "failed" && checkpoint.port) hadErrors = true;
      if (effectsOf(checkpoint.stepType) === "external") external = true;
      if (outcome.response) {
        response = outcome.response;
        responseAnnounced = false;
      }
      if (run.isTest) {
        events.publish({
          type: "step",
          runId: run.id,
          key: checkpoint.key,
          stepId: checkpoint.stepId,
          status: checkpoint.status,
        });
      }
    }

    async function park(waiting: Activation[]) {
      const waitingFor: Parks = {};
      for (const activation of waiting) {
        const parked = parks.get(activation.key);
        if (parked) waitingFor[activation.key] = parked;
      }
      const wakeAt = new Date(Math.min(...Object.values(waitingFor).map(wakeTimeOf)));
      const entry: RunLogEntry = {
        at: new Date().toISOString(),
        event: "parked",
        wakeAt: wakeAt.toISOString(),
        waitingFor: waiting.flatMap((a) => {
          const parked = waitingFor[a.key];
          if (!parked) return [];
          // What it waits for; its log lines are the step's, kept for its checkpoint.
          const { logs: _logs, ...reason } = parked;
          return [{ key: a.key, stepId: a.stepId, ...reason }];
        }),
      };
      if (!(await flush({ status: "waiting", parks: waitingFor, wakeAt }, [entry]))) return;
      // One wake-up per moment: parking again for the same moment finds the job already there.
      await queue
        .enqueueRun({
          workspaceId,
          flowId: run.flowId,
          runId: run.id,
          jobId: jobIdFor(run.id, "wake", wakeAt.getTime()),
          delayMs: Math.max(0, wakeAt.getTime() - Date.now()),
        })
        .catch((error: Error) =>
          // The sweeper wakes runs whose time has come and that have no job.
          log.warn({ runId: run.id, error: error.message }, "could not queue the run's wake-up"),
        );
      events.publish({ type: "run", runId: run.id, status: "waiting" });
    }

    async function end(result: RunEnd) {
      const answer = response;
      if (!(await flush(result))) return;
      await ended(run, result, waits ? answer : undefined);
    }
  }

  /** After a run's end is committed: tell who waits, wake the run that called it, hand it to alerts. */
  async function ended(
    run: EndedRun,
    result: RunEnd,
    /** The response, when a caller waits for it (undefined: nobody waits, so the event carries no answer). */
    response: RunResponse | null | undefined,
  ) {
    events.publish({
      type: "run",
      runId: run.id,
      status: result.status,
      ...(response !== undefined
        ? { answer: { response, output: result.status === "succeeded" ? result.output : null, error: result.error } }
        : {}),
    });
    if (run.parentRunId && run.parentFlowId) {
      // Wake the run that called this one: its call step picks the result up.
      await queue
        .enqueueRun({
          workspaceId: run.workspaceId,
          flowId: run.parentFlowId,
          runId: run.parentRunId,
          jobId: jobIdFor(run.parentRunId, "child", run.id),
        })
        .catch(() => undefined);
    }
    if (result.status === "failed") {
      await queueDeadLetter({ queue, run })?.catch((cause: unknown) =>
        log.warn({ runId: run.id, cause: String(cause) }, "could not queue the dead letter for its dead-letter queue"),
      );
    }
    deps.onRunEnded(run, result);
  }
}

function effectsOf(stepType: string) {
  const definition = STEP_DEFINITIONS.get(stepType);
  return definition?.kind === "action" ? definition.effects : "none";
}

/** When a parked activation is due: its time, or (waiting for a called flow) when to look again anyway. */
function wakeTimeOf(park: Park): number {
  return park.until ? Date.parse(park.until) : Date.now() + CHECK_CHILD_AGAIN_MS;
}

/** A called flow's run wakes its caller when it ends; the caller looks again after this long regardless. */
const CHECK_CHILD_AGAIN_MS = 60_000;

/** An activation parked until a later time than now waits on; one waiting for a called flow looks again. */
function waitsLonger(park: Park | undefined, now: number): boolean {
  return park?.until !== undefined && Date.parse(park.until) > now;
}

/** A job id for a second job of the same run (BullMQ job ids may not contain ":"). */
function jobIdFor(runId: string, ...parts: (string | number)[]): string {
  return [runId, ...parts.map((part) => String(part).replaceAll(":", "_"))].join("~");
}
