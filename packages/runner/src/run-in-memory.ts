// Drives a run from its trigger's message to its end in memory, keeping every step's checkpoint, for runs that
// are stored whole once they end (a webhook's quick flow in the web process, a queue message's flow in the
// worker that consumed it). Whatever does not end cleanly by the deadline — a step fails, retries past the
// in-process back-offs or parks — is given up: null, and the caller takes the message in the usual way.
import type { Checkpoint, FinishedRun, RunEnd, RunResponse, RunToExecute } from "@tributary/core";
import { type Message, type PreparedFlow, planRun, RunRecords } from "@tributary/engine";
import { executeStep, recordSynthetic, type StepServices } from "./execute-step.ts";

const MAX_ACTIVATIONS = 200;

export type InMemoryRun = {
  runId: string;
  workspaceId: string;
  flowId: string;
  versionId: string;
  /** What started it: webhook, or the subscription trigger's type. */
  trigger: string;
  triggerStepId: string;
  message: Message;
  limits: RunToExecute["limits"];
};

/** The finished run, succeeded, with its steps' checkpoints and response; null when it did not get there. */
export async function runInMemory({
  run,
  flow,
  services,
  deadline,
  signal,
}: {
  run: InMemoryRun;
  flow: PreparedFlow;
  services: StepServices;
  /** No step starts after this moment (ms since the epoch). */
  deadline: number;
  signal: AbortSignal;
}): Promise<FinishedRun | null> {
  const startedAt = new Date();
  const runInfo = {
    id: run.runId,
    flowId: run.flowId,
    workspaceId: run.workspaceId,
    isTest: false,
    trigger: run.trigger,
    limits: run.limits,
  };
  const records = new RunRecords();
  const checkpoints: Checkpoint[] = [];
  let response: RunResponse | null = null;

  while (checkpoints.length < MAX_ACTIVATIONS && Date.now() < deadline) {
    const plan = planRun(flow, { triggerStepId: run.triggerStepId, input: run.message, records });
    if (plan.synthetic.length) {
      checkpoints.push(...recordSynthetic(flow, records, plan.synthetic));
      continue;
    }
    if (plan.status === "succeeded") {
      const result: RunEnd = { status: "succeeded", output: plan.output ?? null, error: null };
      const { runId, flowId, versionId, trigger, triggerStepId, message } = run;
      return { runId, flowId, versionId, trigger, triggerStepId, message, startedAt, checkpoints, result, response };
    }
    if (plan.status === "failed" || plan.ready.length === 0) return null;
    for (const activation of plan.ready) {
      const outcome = await executeStep({
        activation,
        flow,
        run: runInfo,
        records,
        resumed: undefined,
        services,
        signal,
      });
      // A park, or a failure (handled or not): the usual path runs it, with its alerts and dead letters.
      if (outcome.kind === "park" || outcome.checkpoint.status !== "succeeded") return null;
      records.add(outcome.checkpoint);
      checkpoints.push(outcome.checkpoint);
      if (outcome.response) response = outcome.response;
    }
  }
  return null;
}
