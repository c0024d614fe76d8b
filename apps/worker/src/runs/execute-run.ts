// Executes (or resumes) one run: plans with the engine, runs ready activations, checkpoints what finished,
// parks runs that wait, finishes runs that end. Steps without side effects are checkpointed in batches (a
// crash redoes them, harmlessly); a step with side effects is checkpointed as soon as it finishes, so a
// resumed run never repeats it.

import type { ClientPools } from "@tributary/connectors";
import {
  type Checkpoint,
  cancelKey,
  type Db,
  finishRun,
  handBackRun,
  type Park,
  parkRun,
  pickUpRun,
  type RunEvent,
  type RunToExecute,
  runEventsChannel,
  saveCheckpoints,
  saveRunResponse,
  startRun,
} from "@tributary/core";
import { planRun, type StepRecord } from "@tributary/engine";
import type { JobQueue } from "@tributary/queue";
import type { Sandbox } from "@tributary/sandbox";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { createConnectionsCache } from "./connections-cache.ts";
import { executeStep, type StepOutcome } from "./execute-step.ts";
import { flowCallsFor } from "./flow-calls.ts";
import type { createHttpClients } from "./http-clients.ts";
import type { createPreparedFlows } from "./prepared-flows.ts";
import { type RunSlots, slotLimits } from "./run-slots.ts";
import type { createSecretsCache } from "./secrets-cache.ts";

/** Steps whose effects stay inside the run: redoing them after a crash changes nothing outside. */
const PURE_STEPS = new Set([
  "trigger.webhook",
  "trigger.schedule",
  "trigger.poll",
  "trigger.manual",
  "trigger.subflow",
  "data.transform",
  "data.set-headers",
  "flow.branch",
  "flow.switch",
  "flow.filter",
  "flow.loop",
  "flow.merge",
  "code.typescript",
  "util.log",
]);

/** A run is taken up at most this often: after its worker died twice, it fails instead of taking a third down. */
export const MAX_PICKUPS = 2;
const PARALLEL_STEPS = 16;
const CHECK_EVERY_MS = 500;

export type RunExecutorDeps = {
  db: Db;
  redis: Redis;
  redisPrefix: string;
  queue: JobQueue;
  sandbox: Sandbox;
  slots: RunSlots;
  preparedFlows: ReturnType<typeof createPreparedFlows>;
  httpClients: ReturnType<typeof createHttpClients>;
  pools: ClientPools;
  secrets: ReturnType<typeof createSecretsCache>;
  connections: ReturnType<typeof createConnectionsCache>;
  log: Logger;
  stopping: () => boolean;
};

export type ExecuteResult = "done" | "busy";

export function createRunExecutor(deps: RunExecutorDeps) {
  const { db, redis, queue, log } = deps;
  const publish = (event: RunEvent) =>
    redis
      .publish(runEventsChannel({ prefix: deps.redisPrefix, runId: event.runId }), JSON.stringify(event))
      .catch(() => 0);

  return async function executeRun({
    workspaceId,
    runId,
  }: {
    workspaceId: string;
    runId: string;
  }): Promise<ExecuteResult> {
    let limits: ReturnType<typeof slotLimits> = [];
    const run = await pickUpRun({
      db,
      workspaceId,
      runId,
      admit: async ({ flowId, flowMaxConcurrentRuns, concurrentRuns }) => {
        limits = slotLimits({ workspaceId, flowId, workspaceLimit: concurrentRuns, flowLimit: flowMaxConcurrentRuns });
        return (await deps.slots.acquire({ runId, limits })) === null;
      },
    });
    if (run === "busy") return "busy";
    if (run === null) return "done";
    try {
      await drive(run);
    } finally {
      await deps.slots.release({ runId, limits });
    }
    return "done";

    async function drive(run: RunToExecute) {
      if (run.pickups > MAX_PICKUPS) {
        await end(run, "failed", [], null, {
          message: `The worker running this run stopped (crashed or was killed) ${run.pickups - 1} times; it was not taken up again. Re-run it once the cause is fixed.`,
          code: "worker_lost",
        });
        return;
      }
      const { flow, compiled } = await deps.preparedFlows({ workspaceId, versionId: run.flowVersionId });
      const secrets = await deps.secrets({ workspaceId, version: run.workspace.secretsVersion });
      const services = {
        connection: (connectionId: string) => deps.connections({ workspaceId, connectionId }),
        http: deps.httpClients.forWorkspace(run.workspace),
        pools: deps.pools,
        sandbox: deps.sandbox,
        flows: flowCallsFor({ db, queue, workspaceId, runId }),
        secrets,
        compiled,
        codeLimits: { memoryMb: run.limits.codeMemoryMb, cpuMs: run.limits.codeCpuMs, wallMs: run.limits.codeWallMs },
      };
      const records: StepRecord[] = [...run.records];
      let pending: Checkpoint[] = [];
      // Cancellation and the concurrency claim are checked on a clock, not on every step: a short run then
      // costs no extra Redis round trips, a long one notices a cancel within CHECK_EVERY_MS.
      let lastCheck = Date.now();
      const deadline = run.pickedAt.getTime() + run.limits.runTimeoutSeconds * 1000;
      const controller = new AbortController();

      for (;;) {
        const checkNow = Date.now() - lastCheck >= CHECK_EVERY_MS;
        if (checkNow) {
          lastCheck = Date.now();
          await deps.slots.renew({ runId, limits });
        }
        if (checkNow && (await redis.exists(cancelKey(runId)))) {
          controller.abort();
          await saveCheckpoints({ db, workspaceId, runId, checkpoints: pending });
          log.info({ runId }, "run cancelled");
          return;
        }
        if (deps.stopping()) {
          await saveCheckpoints({ db, workspaceId, runId, checkpoints: pending });
          await handBackRun({ db, workspaceId, runId });
          await queue.enqueueRun({ workspaceId, runId, jobId: jobIdFor(runId, "handback", run.pickups) });
          log.info({ runId }, "run handed back for another worker");
          return;
        }
        if (Date.now() > deadline) {
          await end(run, "failed", pending, null, {
            message: `The run went past its plan's limit of ${run.limits.runTimeoutSeconds} s and was stopped.`,
            code: "run_timeout",
          });
          return;
        }
        const plan = planRun(flow, { triggerStepId: run.triggerStepId, input: run.input, records });
        if (plan.synthetic.length) {
          records.push(...plan.synthetic);
          pending.push(
            ...plan.synthetic.map((record) =>
              syntheticCheckpoint(record, flow.steps.get(record.stepId)?.step.type ?? "unknown"),
            ),
          );
          continue;
        }
        if (plan.status === "succeeded") {
          await end(run, "succeeded", pending, plan.output ?? null, null);
          return;
        }
        if (plan.status === "failed") {
          await end(run, "failed", pending, null, {
            ...(plan.failure?.error ?? { message: "A step failed." }),
            stepId: plan.failure?.stepId,
            key: plan.failure?.key,
          });
          return;
        }
        const outcomes: StepOutcome[] = [];
        for (let i = 0; i < plan.ready.length; i += PARALLEL_STEPS) {
          const batch = plan.ready.slice(i, i + PARALLEL_STEPS);
          for (const activation of batch) {
            void publish({ type: "step", runId, key: activation.key, stepId: activation.stepId, status: "running" });
          }
          outcomes.push(
            ...(await Promise.all(
              batch.map((activation) =>
                executeStep({ activation, flow, run, records, services, signal: controller.signal }),
              ),
            )),
          );
        }
        let park: { park: Park; wakeAt: Date } | null = null;
        let impure = false;
        for (const outcome of outcomes) {
          if (outcome.kind === "park") {
            park ??= outcome;
            continue;
          }
          records.push(outcome.checkpoint);
          pending.push(outcome.checkpoint);
          if (!PURE_STEPS.has(outcome.checkpoint.stepType)) impure = true;
          if (outcome.response) {
            await saveRunResponse({ db, workspaceId, runId, response: outcome.response });
            void publish({ type: "response", runId });
          }
          void publish({
            type: "step",
            runId,
            key: outcome.checkpoint.key,
            stepId: outcome.checkpoint.stepId,
            status: outcome.checkpoint.status,
          });
        }
        if (park) {
          await parkRun({ db, workspaceId, runId, park: park.park, wakeAt: park.wakeAt, checkpoints: pending });
          await queue.enqueueRun({
            workspaceId,
            runId,
            jobId: jobIdFor(runId, "wake", park.park.key, park.park.attempt, run.pickups),
            delayMs: Math.max(0, park.wakeAt.getTime() - Date.now()),
          });
          void publish({ type: "run", runId, status: "waiting" });
          return;
        }
        if (impure) {
          // A step with effects outside the run is checkpointed before anything else happens, so a resumed run
          // never repeats it; the cancel check comes with it.
          await saveCheckpoints({ db, workspaceId, runId, checkpoints: pending });
          pending = [];
          lastCheck = 0;
        }
      }
    }

    async function end(
      run: RunToExecute,
      status: "succeeded" | "failed",
      checkpoints: Checkpoint[],
      output: StepRecord["message"],
      error: {
        message: string;
        code?: string | undefined;
        stepId?: string | undefined;
        key?: string | undefined;
      } | null,
    ) {
      const ended = await finishRun({
        db,
        workspaceId,
        runId,
        status,
        output,
        error: error ? stripUndefined(error) : null,
        checkpoints,
      });
      if (!ended) return;
      void publish({ type: "run", runId, status });
      if (run.parentRunId) {
        // Wake the run that called this one: its call step picks the result up.
        await queue
          .enqueueRun({ workspaceId, runId: run.parentRunId, jobId: jobIdFor(run.parentRunId, "child", runId) })
          .catch(() => undefined);
      }
      if (
        status === "failed" &&
        run.workspace.errorFlowId &&
        run.workspace.errorFlowId !== run.flowId &&
        run.trigger !== "error"
      ) {
        await startRun({
          db,
          queue,
          workspaceId,
          flowId: run.workspace.errorFlowId,
          trigger: "error",
          body: { runId, flowId: run.flowId, error, input: run.input.body },
        }).catch((cause: unknown) =>
          log.warn({ runId, cause: String(cause) }, "could not start the workspace's error flow"),
        );
      }
    }
  };
}

/** A job id for a second job of the same run (BullMQ job ids may not contain ":"). */
function jobIdFor(runId: string, ...parts: (string | number)[]): string {
  return [runId, ...parts.map((part) => String(part).replaceAll(":", "_"))].join("~");
}

function syntheticCheckpoint(record: StepRecord, stepType: string): Checkpoint {
  const now = new Date();
  return { ...record, stepType, input: null, logs: [], attempt: 1, startedAt: now, finishedAt: now };
}

function stripUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
