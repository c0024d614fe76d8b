import { stepCatalog } from "@tributary/connectors";
import { type Db, scoped } from "@tributary/db";
import { type Message, parseFlowGraph, prepareFlow, recordsBefore, type StepRecord } from "@tributary/engine";
import type { JobQueue } from "@tributary/queue";
import { z } from "zod";
import { noteReplay } from "../dead-letters/note-replay.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import { type StartedRun, startRun } from "./start-run.ts";
import { unpackStepMessages } from "./step-messages.ts";

/**
 * Which version a re-run runs: the flow's current published version (the default: a re-run is usually a try
 * after a fix), or the version the run used. Test runs of a draft always re-run the draft they ran.
 */
export const rerunVersion = z.enum(["current", "original"]).default("current");

export const rerunInput = z.object({ runId: z.uuid(), version: rerunVersion });
export const rerunFromStepInput = z.object({
  runId: z.uuid(),
  stepKey: z.string().min(1).max(500),
  version: rerunVersion,
});

/** The run to re-run and the version to re-run it on, with that version's graph. */
async function original({
  db,
  workspaceId,
  runId,
  version,
}: {
  db: Db;
  workspaceId: string;
  runId: string;
  version: z.output<typeof rerunVersion>;
}) {
  const run = await scoped(db, { workspaceId }, (tx) =>
    tx.run.findFirst({
      where: { id: runId, workspaceId },
      select: {
        id: true,
        status: true,
        trigger: true,
        flowId: true,
        flowVersionId: true,
        triggerStepId: true,
        input: true,
        isTest: true,
        flowVersion: { select: { graph: true } },
        flow: { select: { currentVersionId: true, currentVersion: { select: { graph: true } } } },
      },
    }),
  );
  if (!run) throw notFound("That run");
  const current = version === "current" && !run.isTest ? run.flow.currentVersion : null;
  if (version === "current" && !run.isTest && !current) {
    throw new AppError(
      "PRECONDITION_FAILED",
      "The flow has no published version now; re-run on the run's own version.",
    );
  }
  return {
    ...run,
    versionId: current ? (run.flow.currentVersionId as string) : run.flowVersionId,
    graph: current ? current.graph : run.flowVersion.graph,
  };
}

/** Runs the run's input message again, on the current version or the one it used. */
export async function rerun({
  db,
  queue,
  workspaceId,
  runId,
  version,
}: { db: Db; queue: JobQueue; workspaceId: string } & z.output<typeof rerunInput>): Promise<StartedRun> {
  const run = await original({ db, workspaceId, runId, version });
  const input = run.input as unknown as Message;
  const graph = parseFlowGraph(run.graph);
  if (!graph.steps.some((step) => step.id === run.triggerStepId)) {
    throw new AppError(
      "PRECONDITION_FAILED",
      `The trigger that started this run ("${run.triggerStepId}") is not in that version of the flow; re-run on the run's own version.`,
    );
  }
  const started = await startRun({
    db,
    queue,
    workspaceId,
    flowId: run.flowId,
    trigger: "rerun",
    triggerStepId: run.triggerStepId,
    versionId: run.versionId,
    body: input.body,
    headers: input.headers,
    messageId: input.id,
    isTest: run.isTest,
    rerunOf: runId,
  });
  await noteReplay({ db, workspaceId, run, replayRunId: started.runId });
  return started;
}

/**
 * Re-runs from one activation with the messages it had: what came before it is copied from the original
 * run, so the step (and everything after it) runs again on the same input — on the current version (a
 * corrected config takes effect) or the one the run used.
 */
export async function rerunFromStep({
  db,
  queue,
  workspaceId,
  runId,
  stepKey,
  version,
}: { db: Db; queue: JobQueue; workspaceId: string } & z.output<typeof rerunFromStepInput>): Promise<StartedRun> {
  const run = await original({ db, workspaceId, runId, version });
  const { versionId } = run;
  const graph = parseFlowGraph(run.graph);
  const stored = await scoped(db, { workspaceId }, (tx) =>
    tx.stepRun.findMany({ where: { runId, workspaceId }, orderBy: [{ finishedAt: "asc" }, { id: "asc" }] }),
  );
  const steps = unpackStepMessages(run.input as unknown as Message, stored);
  if (!steps.some((step) => step.activationKey === stepKey)) throw notFound("That step of the run");
  const records: StepRecord[] = steps.map((s) => ({
    key: s.activationKey,
    stepId: s.stepId,
    status: s.status,
    port: s.outputPort,
    message: s.output,
  }));
  const flow = prepareFlow({ graph, catalog: stepCatalog });
  if (!flow.steps.has(steps.find((s) => s.activationKey === stepKey)?.stepId ?? "")) {
    throw new AppError(
      "PRECONDITION_FAILED",
      "That step is not in that version of the flow; re-run the whole run, or on the run's own version.",
    );
  }
  const kept = new Set(recordsBefore({ flow, records, key: stepKey }).map((r) => r.key));
  const input = run.input as unknown as Message;
  const started = await startRun({
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
    copiedSteps: { fromRunId: runId, keys: steps.map((s) => s.activationKey).filter((key) => kept.has(key)) },
  });
  await noteReplay({ db, workspaceId, run, replayRunId: started.runId });
  return started;
}
