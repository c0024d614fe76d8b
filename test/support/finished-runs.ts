// Runs that ran to their end in memory, as the whole-run store takes them: for tests of the run store itself.
import { randomUUID } from "node:crypto";
import { type FinishedRun, uuidv7 } from "@tributary/core";
import { createMessage } from "@tributary/engine";

/** `count` runs of the flow, each with one step; `keyed`: each message came with its idempotency key. */
export function finishedRuns(
  flow: { id: string; versionId: string },
  count: number,
  { idOf = () => uuidv7(), keyed = false }: { idOf?: (index: number) => string; keyed?: boolean } = {},
): FinishedRun[] {
  const startedAt = new Date();
  return Array.from({ length: count }, (_, i) => {
    const message = createMessage({ id: randomUUID(), body: { qty: 2 }, headers: [] });
    const output = { ...message, body: { total: 6 } };
    return {
      runId: idOf(i),
      flowId: flow.id,
      versionId: flow.versionId,
      trigger: "manual",
      triggerStepId: "start",
      message,
      startedAt,
      checkpoints: [
        {
          key: "price",
          stepId: "price",
          stepType: "data.transform",
          status: "succeeded",
          port: "out",
          message: output,
          input: message,
          logs: [],
          attempt: 1,
          startedAt,
          finishedAt: new Date(),
        },
      ],
      result: { status: "succeeded", output, error: null },
      response: null,
      idempotency: keyed ? { key: message.id, bodyHash: "hash" } : null,
    };
  });
}

/** The commits that end runs a worker took up under `owner`. */
export function commitsOf(runs: FinishedRun[], owner: string) {
  return runs.map((run) => ({
    runId: run.runId,
    owner,
    runInput: run.message,
    checkpoints: run.checkpoints,
    transition: run.result,
    leaseMs: 60_000,
  }));
}
