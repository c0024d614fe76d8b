// Webhooks of quick flows run as the web process takes the call in. A flow whose steps have no outside
// effects and need nothing only a worker has (no code sandbox, no waiting) — validate, transform, branch,
// respond — runs here in memory, and is stored whole (the run, every step with its input and output, the
// flow statistics) in one group-committed transaction before the caller hears back: a sync caller gets the
// flow's answer, an async one its 202. No queue, no pickup, no event back: one database round trip per run.
//
// What does not end cleanly within a moment (a step fails, retries or parks; the run takes longer than
// INLINE_BUDGET_MS) is not kept: the call is taken in the usual way and a worker runs it from its start. Its
// steps had no effects, so running them again changes nothing.
import { STEP_DEFINITIONS } from "@tributary/connectors";
import {
  type Checkpoint,
  createGroupCommit,
  type Db,
  type FinishedRun,
  type RunEnd,
  type RunResponse,
  recordFinishedRuns,
  type SecretBox,
} from "@tributary/core";
import { type Message, type PreparedFlow, planRun, RunRecords } from "@tributary/engine";
import type { RunEndedHook } from "./alert-hook.ts";
import { executeStep, type StepServices, syntheticCheckpoint } from "./execute-step.ts";
import { createPreparedFlows } from "./prepared-flows.ts";
import { createSecretsCache } from "./secrets-cache.ts";

/** Longer than this and the run goes to a worker: the web process's event loop is for taking calls in. */
const INLINE_BUDGET_MS = 50;
const MAX_ACTIVATIONS = 200;

export type InlineCall = {
  runId: string;
  workspaceId: string;
  flowId: string;
  versionId: string;
  triggerStepId: string;
  message: Message;
  secretsVersion: number;
  limits: { maxMessageBytes: number; runTimeoutSeconds: number };
};

/** The answer of a run that ran and was stored; null: run it the usual way. */
export type InlineAnswer = { response: RunResponse | null; output: Message | null; error: null };

export type InlineRuns = { run(call: InlineCall): Promise<InlineAnswer | null> };

export function createInlineRuns({
  db,
  secretBox,
  alerts,
  onRunEnded,
}: {
  db: Db;
  secretBox: SecretBox;
  /** Queues the alert evaluation of every run stored, as the worker does for its runs. */
  alerts: RunEndedHook;
  /** Told of every run stored (the web process counts it in its metrics). */
  onRunEnded?: (run: FinishedRun & { workspaceId: string }) => void;
}): InlineRuns {
  const preparedFlows = createPreparedFlows({ db });
  const secrets = createSecretsCache({ db, secretBox });
  const quick = new Map<string, boolean>();
  const store = createGroupCommit<FinishedRun, void>({
    async flush(workspaceId, runs) {
      await recordFinishedRuns({ db, workspaceId, runs });
      return runs.map(() => undefined);
    },
  });

  return {
    async run(call) {
      const { flow } = await preparedFlows({ workspaceId: call.workspaceId, versionId: call.versionId });
      if (!quick.has(call.versionId)) {
        if (quick.size >= 1_000) quick.delete(quick.keys().next().value as string);
        quick.set(call.versionId, isQuick(flow));
      }
      if (!quick.get(call.versionId)) return null;
      const ran = await runInMemory({
        call,
        flow,
        secrets: await secrets({ workspaceId: call.workspaceId, version: call.secretsVersion }),
      });
      if (!ran) return null;
      await store(call.workspaceId, ran);
      alerts({ id: ran.runId, workspaceId: call.workspaceId, flowId: ran.flowId }, ran.result);
      onRunEnded?.({ ...ran, workspaceId: call.workspaceId });
      return { response: ran.response, output: ran.result.output, error: null };
    },
  };
}

/** Every step is the trigger or an action without effects that needs no worker. */
function isQuick(flow: PreparedFlow): boolean {
  return [...flow.steps.values()].every(({ step }) => {
    const definition = STEP_DEFINITIONS.get(step.type);
    return (
      definition?.kind === "trigger" ||
      (definition?.kind === "action" && definition.effects === "none" && !definition.needsWorker)
    );
  });
}

/** Drives the run to its end in memory; null when it does not succeed cleanly within the budget. */
async function runInMemory({
  call,
  flow,
  secrets,
}: {
  call: InlineCall;
  flow: PreparedFlow;
  secrets: Record<string, string>;
}): Promise<FinishedRun | null> {
  const startedAt = new Date();
  const deadline = startedAt.getTime() + INLINE_BUDGET_MS;
  const run = {
    id: call.runId,
    flowId: call.flowId,
    workspaceId: call.workspaceId,
    isTest: false,
    trigger: "webhook",
    limits: {
      ...call.limits,
      // Unused: code steps never run inline.
      codeMemoryMb: 0,
      codeCpuMs: 0,
      codeWallMs: 0,
    },
  };
  const services = inlineServices(secrets);
  const records = new RunRecords();
  const checkpoints: Checkpoint[] = [];
  let response: RunResponse | null = null;
  const signal = new AbortController().signal;

  while (checkpoints.length < MAX_ACTIVATIONS && Date.now() < deadline) {
    const plan = planRun(flow, { triggerStepId: call.triggerStepId, input: call.message, records });
    if (plan.synthetic.length) {
      for (const record of plan.synthetic) {
        records.add(record);
        checkpoints.push(syntheticCheckpoint(record, flow.steps.get(record.stepId)?.step.type ?? "unknown"));
      }
      continue;
    }
    if (plan.status === "succeeded") {
      const result: RunEnd = { status: "succeeded", output: plan.output ?? null, error: null };
      const { runId, flowId, versionId, triggerStepId, message } = call;
      return {
        runId,
        flowId,
        versionId,
        trigger: "webhook",
        triggerStepId,
        message,
        startedAt,
        checkpoints,
        result,
        response,
      };
    }
    if (plan.status === "failed" || plan.ready.length === 0) return null;
    for (const activation of plan.ready) {
      const outcome = await executeStep({ activation, flow, run, records, resumed: undefined, services, signal });
      // A park, or a failure (handled or not): the worker runs it, with its alerts and dead letters.
      if (outcome.kind === "park" || outcome.checkpoint.status !== "succeeded") return null;
      records.add(outcome.checkpoint);
      checkpoints.push(outcome.checkpoint);
      if (outcome.response) response = outcome.response;
    }
  }
  return null;
}

/** Stands in for what only a worker has: any use of it throws, so the step fails and the run goes to a worker. */
const workerOnly = new Proxy(
  {},
  {
    get() {
      throw new Error("Only a worker can do this; the run goes to one.");
    },
  },
);

/** What quick steps may use: the workspace's secrets. Everything else is a worker's, and refused here. */
function inlineServices(secrets: Record<string, string>): StepServices {
  return {
    connection: () => Promise.reject(new Error("Only a worker opens connections; the run goes to one.")),
    http: workerOnly as StepServices["http"],
    pools: workerOnly as StepServices["pools"],
    sandbox: workerOnly as StepServices["sandbox"],
    flows: workerOnly as StepServices["flows"],
    topics: workerOnly as StepServices["topics"],
    secrets,
    compiled: {},
    codeLimits: {},
    // Any back-off parks, and a park sends the run to a worker.
    parkBackoffsOverMs: 0,
  };
}
