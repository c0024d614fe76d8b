// Calls from one run to another flow: started once per calling activation (found again on resume), waited
// for by parking the caller, never by holding a worker slot.
import { type FlowCalls, StepFailure } from "@tributary/connectors";
import { AppError, type Db, findChildRun, startRun } from "@tributary/core";
import type { JobQueue } from "@tributary/queue";

export function flowCallsFor({
  db,
  queue,
  workspaceId,
  runId,
}: {
  db: Db;
  queue: JobQueue;
  workspaceId: string;
  runId: string;
}): FlowCalls {
  return {
    async call({ flowId, message, stepKey }) {
      const child = await findChildRun({ db, workspaceId, parentRunId: runId, stepKey });
      if (!child) {
        try {
          const started = await startRun({
            db,
            queue,
            workspaceId,
            flowId,
            trigger: "subflow",
            triggerType: "trigger.subflow",
            body: message.body,
            headers: message.headers,
            messageId: message.id,
            parent: { runId, stepKey },
          });
          return { status: "running", runId: started.runId };
        } catch (error) {
          if (error instanceof AppError)
            throw new StepFailure(`Could not call the flow: ${error.message}`, { code: "call_refused" });
          throw error;
        }
      }
      if (child.status === "succeeded" && child.output)
        return { status: "succeeded", runId: child.id, output: child.output };
      if (child.status === "failed" || child.status === "cancelled") {
        return { status: "failed", runId: child.id, error: child.error?.message ?? child.status };
      }
      return { status: "running", runId: child.id };
    },
  };
}
