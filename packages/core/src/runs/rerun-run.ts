import { stepCatalog } from "@tributary/connectors";
import { type Db, scoped } from "@tributary/db";
import { type Message, parseFlowGraph, prepareFlow, recordsBefore, type StepRecord } from "@tributary/engine";
import type { JobQueue } from "@tributary/queue";
import { z } from "zod";
import { AppError, notFound } from "../errors/app-error.ts";
import { type StartedRun, startRun } from "./start-run.ts";

export const rerunInput = z.object({ runId: z.uuid() });
export const rerunFromStepInput = z.object({ runId: z.uuid(), stepKey: z.string().min(1).max(500) });

async function original({ db, workspaceId, runId }: { db: Db; workspaceId: string; runId: string }) {
  const run = await scoped(db, { workspaceId }, (tx) =>
    tx.run.findFirst({
      where: { id: runId, workspaceId },
      select: {
        flowId: true,
        flowVersionId: true,
        triggerStepId: true,
        input: true,
        isTest: true,
        flowVersion: { select: { graph: true } },
      },
    }),
  );
  if (!run) throw notFound("That run");
  return run;
}

/** Runs the same version again on the same input message. */
export async function rerun({
  db,
  queue,
  workspaceId,
  runId,
}: { db: Db; queue: JobQueue; workspaceId: string } & z.output<typeof rerunInput>): Promise<StartedRun> {
  const run = await original({ db, workspaceId, runId });
  const input = run.input as unknown as Message;
  return startRun({
    db,
    queue,
    workspaceId,
    flowId: run.flowId,
    trigger: "rerun",
    triggerStepId: run.triggerStepId,
    versionId: run.flowVersionId,
    body: input.body,
    headers: input.headers,
    isTest: run.isTest,
    rerunOf: runId,
  });
}

/**
 * Re-runs from one activation with the messages it had: what came before it is copied from the original
 * run, so the step (and everything after it) runs again on the same input. Runs the flow's current version,
 * so a corrected config takes effect.
 */
export async function rerunFromStep({
  db,
  queue,
  workspaceId,
  runId,
  stepKey,
}: { db: Db; queue: JobQueue; workspaceId: string } & z.output<typeof rerunFromStepInput>): Promise<StartedRun> {
  const run = await original({ db, workspaceId, runId });
  const current = await scoped(db, { workspaceId }, (tx) =>
    tx.flow.findFirst({
      where: { id: run.flowId, workspaceId },
      select: { currentVersionId: true, currentVersion: { select: { graph: true } } },
    }),
  );
  const versionId = run.isTest || !current?.currentVersionId ? run.flowVersionId : current.currentVersionId;
  const graph = parseFlowGraph(
    run.isTest || !current?.currentVersion ? run.flowVersion.graph : current.currentVersion.graph,
  );
  const steps = await scoped(db, { workspaceId }, (tx) =>
    tx.stepRun.findMany({ where: { runId, workspaceId }, orderBy: [{ finishedAt: "asc" }, { id: "asc" }] }),
  );
  if (!steps.some((step) => step.activationKey === stepKey)) throw notFound("That step of the run");
  const records: StepRecord[] = steps.map((s) => ({
    key: s.activationKey,
    stepId: s.stepId,
    status: s.status,
    port: s.outputPort,
    message: s.output as unknown as Message | null,
  }));
  const flow = prepareFlow({ graph, catalog: stepCatalog });
  if (!flow.steps.has(steps.find((s) => s.activationKey === stepKey)?.stepId ?? "")) {
    throw new AppError(
      "PRECONDITION_FAILED",
      "That step is no longer in the flow's current version; re-run the whole run instead.",
    );
  }
  const kept = new Set(recordsBefore({ flow, records, key: stepKey }).map((r) => r.key));
  const input = run.input as unknown as Message;
  return startRun({
    db,
    queue,
    workspaceId,
    flowId: run.flowId,
    trigger: "rerun",
    triggerStepId: run.triggerStepId,
    versionId,
    body: input.body,
    headers: input.headers,
    messageId: input.id,
    isTest: run.isTest,
    rerunOf: runId,
    copiedSteps: steps
      .filter((s) => kept.has(s.activationKey))
      .map(({ id: _id, runId: _run, workspaceId: _ws, ...step }) => ({
        ...step,
        input: step.input ?? undefined,
        output: step.output ?? undefined,
        logs: step.logs ?? [],
        error: step.error ?? undefined,
      })),
  });
}
