import { type Db, scoped } from "@tributary/db";
import { type Message, parseFlowGraph } from "@tributary/engine";
import { z } from "zod";
import { notFound } from "../errors/app-error.ts";
import { type RunDetail, type RunError, type RunLogEntry, type StepRunView, toRunSummary } from "./run-views.ts";
import { unpackStepMessages } from "./step-messages.ts";

export const getRunInput = z.object({ runId: z.uuid() });

export async function getRun({
  db,
  workspaceId,
  runId,
}: { db: Db; workspaceId: string } & z.output<typeof getRunInput>): Promise<RunDetail> {
  // The run and its steps from one snapshot: the worker stores a run's last steps and its end in one commit,
  // and read between the ORM's statements a run came back still running with those steps done (the builder's
  // Test step button stayed busy beside the step's output, the run page showed a run behind its steps).
  const run = await scoped(
    db,
    { workspaceId },
    (tx) =>
      tx.run.findFirst({
        where: { id: runId, workspaceId },
        include: {
          flow: { select: { name: true, currentVersion: { select: { number: true } } } },
          flowVersion: { select: { number: true, graph: true } },
          steps: { orderBy: [{ startedAt: "asc" }, { id: "asc" }] },
        },
      }),
    { snapshot: true },
  );
  if (!run) throw notFound("That run");
  const steps: StepRunView[] = unpackStepMessages(run.input as unknown as Message, run.steps).map((s) => ({
    key: s.activationKey,
    stepId: s.stepId,
    stepType: s.stepType,
    status: s.status,
    port: s.outputPort,
    input: s.input,
    output: s.output,
    logs: (s.logs as unknown as StepRunView["logs"]) ?? [],
    error: (s.error as unknown as RunError | null) ?? null,
    attempt: s.attempt,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    durationMs: s.durationMs,
  }));
  return {
    ...toRunSummary(run),
    input: run.input as unknown as Message,
    output: (run.output as unknown as Message | null) ?? null,
    response: (run.response as unknown as RunDetail["response"]) ?? null,
    parentRunId: run.parentRunId,
    rerunOfId: run.rerunOfId,
    currentVersion: run.flow.currentVersion?.number ?? null,
    takeovers: run.takeovers,
    log: (run.log as unknown as RunLogEntry[]) ?? [],
    graph: parseFlowGraph(run.flowVersion.graph),
    steps,
  };
}
