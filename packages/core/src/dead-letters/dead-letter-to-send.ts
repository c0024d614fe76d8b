// For the worker's "send dead letters to": a failed run's message with the trigger that received it, as
// published (its config names where dead letters go), or null when the run is not a dead letter.
import { type Db, scoped } from "@tributary/db";
import { type Message, parseFlowGraph } from "@tributary/engine";
import type { ActiveSubscription } from "../subscriptions/active-subscriptions.ts";
import { isDeadLetter } from "./dead-letter-state.ts";

export type DeadLetterToSend = {
  trigger: ActiveSubscription;
  message: Message;
  run: { id: string; flowId: string; error: string; failedAt: Date };
};

export async function deadLetterToSend({
  db,
  workspaceId,
  runId,
}: {
  db: Db;
  workspaceId: string;
  runId: string;
}): Promise<DeadLetterToSend | null> {
  const run = await scoped(db, { workspaceId }, (tx) =>
    tx.run.findFirst({
      where: { id: runId, workspaceId },
      select: {
        flowId: true,
        flowVersionId: true,
        status: true,
        isTest: true,
        trigger: true,
        triggerStepId: true,
        input: true,
        error: true,
        finishedAt: true,
        flowVersion: { select: { graph: true } },
        workspace: { select: { allowedHosts: true, planId: true } },
      },
    }),
  );
  if (!run || !isDeadLetter(run)) return null;
  const step = parseFlowGraph(run.flowVersion.graph).steps.find((candidate) => candidate.id === run.triggerStepId);
  if (!step) return null;
  return {
    trigger: {
      workspaceId,
      flowId: run.flowId,
      versionId: run.flowVersionId,
      step,
      planId: run.workspace.planId,
      allowedHosts: run.workspace.allowedHosts,
    },
    message: run.input as unknown as Message,
    run: {
      id: runId,
      flowId: run.flowId,
      error: (run.error as { message?: string } | null)?.message ?? "The run failed.",
      failedAt: run.finishedAt ?? new Date(),
    },
  };
}
