// Accepted means committed: the run and its message are in Postgres before the caller hears of it. Enqueueing
// comes after and may fail (Redis down): the sweeper enqueues such runs later, so nothing is lost.
import { randomUUID } from "node:crypto";
import { type Db, type Prisma, scoped, uuidv7 } from "@tributary/db";
import { createMessage, type FlowGraph, type Message, type MessageHeader, parseFlowGraph } from "@tributary/engine";
import type { JobQueue } from "@tributary/queue";
import { AppError, notFound } from "../errors/app-error.ts";
import { type CompiledSteps, checkGraph } from "../flows/publish-flow.ts";

export type StartedRun = { runId: string; messageId: string; enqueued: boolean };

export type StartRunOptions = {
  db: Db;
  queue: JobQueue;
  workspaceId: string;
  flowId: string;
  /** webhook, schedule, manual, subflow, rerun, error… */
  trigger: string;
  /** The trigger step that fired; the flow's first trigger (of `triggerType`, if given) when omitted. */
  triggerStepId?: string;
  triggerType?: string;
  body: unknown;
  headers?: MessageHeader[];
  /** Test runs run the draft, even of a paused or unpublished flow. */
  isTest?: boolean;
  /** A test of this graph instead of the draft (one step tested alone). */
  graph?: FlowGraph;
  parent?: { runId: string; stepKey: string };
  rerunOf?: string;
  /** Checkpoints copied from an earlier run of the workspace, by activation key (re-run from a step). */
  copiedSteps?: { fromRunId: string; keys: string[] };
  /** Steps taken as done with a sample output each (a step tested alone, fed by the others' pinned samples). */
  pinnedSteps?: { stepId: string; stepType: string; output: Message }[];
  messageId?: string;
  /** Run this version rather than the current one (re-runs run what the original ran). */
  versionId?: string;
};

function firstTrigger(graph: FlowGraph, type: string | undefined): string | undefined {
  return graph.steps.find((step) => step.type.startsWith("trigger.") && (!type || step.type === type))?.id;
}

export async function startRun(options: StartRunOptions): Promise<StartedRun> {
  const { db, queue, workspaceId, flowId } = options;
  const input: Message = createMessage({
    id: options.messageId ?? randomUUID(),
    body: options.body ?? null,
    headers: options.headers ?? [],
  });
  const flow = await scoped(db, { workspaceId }, (tx) =>
    tx.flow.findFirst({
      where: { id: flowId, workspaceId },
      select: {
        status: true,
        draft: true,
        currentVersionId: true,
        workspace: { select: { plan: { select: { maxMessageBytes: true } } } },
      },
    }),
  );
  if (!flow) throw notFound("That flow");
  const inputBytes = Buffer.byteLength(JSON.stringify(input.body));
  if (inputBytes > flow.workspace.plan.maxMessageBytes) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `The message is ${inputBytes} bytes; this workspace's plan allows ${flow.workspace.plan.maxMessageBytes}.`,
    );
  }
  const testsDraft = options.isTest === true && !options.versionId;
  let draft: { graph: FlowGraph; compiled: CompiledSteps } | undefined;
  if (testsDraft) {
    const { errors, compiled, graph } = await checkGraph({
      db,
      workspaceId,
      graph: options.graph ?? parseFlowGraph(flow.draft),
    });
    if (errors.length) {
      throw new AppError(
        "BAD_REQUEST",
        `The draft has ${errors.length} problem${errors.length === 1 ? "" : "s"}; fix them to test it.`,
        {
          validation: errors,
        },
      );
    }
    draft = { graph, compiled };
  } else {
    if (!(options.versionId ?? flow.currentVersionId)) {
      throw new AppError(
        "PRECONDITION_FAILED",
        "This flow has no published version yet: publish it first, or run a test.",
      );
    }
    if (flow.status === "paused" && !options.isTest && options.trigger !== "rerun") {
      throw new AppError("UNAVAILABLE", "This flow is paused: activate it to start runs.");
    }
  }

  // Time-ordered: the run log pages by id, newest first.
  const runId = uuidv7();
  await scoped(db, { workspaceId }, async (tx) => {
    let versionId = options.versionId ?? flow.currentVersionId ?? "";
    let graph = draft?.graph;
    if (draft) {
      // A test of the draft runs a version of its own, numbered below zero: never current, never listed.
      const lowest = await tx.flowVersion.findFirst({
        where: { flowId },
        orderBy: { number: "asc" },
        select: { number: true },
      });
      versionId = (
        await tx.flowVersion.create({
          data: {
            workspaceId,
            flowId,
            number: Math.min(lowest?.number ?? 0, 0) - 1,
            graph: draft.graph as unknown as Prisma.InputJsonObject,
            compiled: draft.compiled as unknown as Prisma.InputJsonObject,
          },
          select: { id: true },
        })
      ).id;
    } else {
      const version = await tx.flowVersion.findFirst({
        where: { id: versionId, workspaceId },
        select: { graph: true },
      });
      if (!version) throw notFound("That flow version");
      graph = parseFlowGraph(version.graph);
    }
    const triggerStepId = options.triggerStepId ?? (graph ? firstTrigger(graph, options.triggerType) : undefined);
    if (!triggerStepId || !graph?.steps.some((step) => step.id === triggerStepId)) {
      throw new AppError("PRECONDITION_FAILED", "This flow has no trigger that can start this run; add one.");
    }
    // Written in SQL with the message as JSON text: the ORM parses JSON values again on the way in and
    // rounds some 17-digit numbers (0.27248218334496244 became 0.2724821833449624); the log keeps them exact.
    await tx.$executeRaw`
      INSERT INTO runs (id, workspace_id, flow_id, flow_version_id, trigger, trigger_step_id, is_test, message_id, input,
                        parent_run_id, parent_step_key, rerun_of_id)
      VALUES (${runId}::uuid, ${workspaceId}::uuid, ${flowId}::uuid, ${versionId}::uuid, ${options.trigger},
              ${triggerStepId}, ${options.isTest ?? false}, ${input.id}, ${JSON.stringify(input)}::json,
              ${options.parent?.runId ?? null}::uuid, ${options.parent?.stepKey ?? null}, ${options.rerunOf ?? null}::uuid)`;
    const copied = options.copiedSteps;
    if (copied?.keys.length) {
      // Copied inside Postgres, so the steps' messages are the very text the earlier run stored; the new ids
      // (increasing) keep the earlier ids' order, which breaks ties between steps started in one millisecond.
      const ids = copied.keys.map(() => uuidv7());
      await tx.$executeRaw`
        INSERT INTO step_runs (id, workspace_id, run_id, activation_key, step_id, step_type, status, output_port, input,
                               output, logs, error, attempt, started_at, finished_at, duration_ms)
        SELECT k.id, s.workspace_id, ${runId}::uuid, s.activation_key, s.step_id, s.step_type, s.status, s.output_port,
               s.input, s.output, s.logs, s.error, s.attempt, s.started_at, s.finished_at, s.duration_ms
          FROM (SELECT *, row_number() OVER (ORDER BY id) AS n
                  FROM step_runs
                 WHERE run_id = ${copied.fromRunId}::uuid AND workspace_id = ${workspaceId}::uuid
                   AND activation_key = ANY(${copied.keys}::text[])) s
          JOIN unnest(${ids}::uuid[]) WITH ORDINALITY AS k(id, n) ON k.n = s.n`;
    }
    if (options.pinnedSteps?.length) {
      const pinned = options.pinnedSteps.map((step) => ({
        id: uuidv7(),
        step_id: step.stepId,
        step_type: step.stepType,
        output: step.output,
      }));
      await tx.$executeRaw`
        INSERT INTO step_runs (id, workspace_id, run_id, activation_key, step_id, step_type, status, output_port, output,
                               started_at, finished_at, duration_ms)
        SELECT x.id, ${workspaceId}::uuid, ${runId}::uuid, x.step_id, x.step_id, x.step_type, 'succeeded', 'out',
               x.output, now(), now(), 0
          FROM json_to_recordset(${JSON.stringify(pinned)}::json) AS x(id uuid, step_id text, step_type text, output json)`;
    }
  });
  const enqueued = await queue.enqueueRun({ workspaceId, flowId, runId }).then(
    () => true,
    () => false,
  );
  return { runId, messageId: input.id, enqueued };
}
