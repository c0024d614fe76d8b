// Runs, the transaction log: start, read, list with the Runs page's filters, cancel and re-run.
import { cancelRun, getRun, listRuns, listRunsInput, rerun, rerunFromStep, startRun } from "@tributary/core";
import { z } from "zod";
import { date, graph, nothing, type Operation, operation } from "../operation.ts";

const runError = z.looseObject({ message: z.string() }).nullable();
const runSummary = z.object({
  id: z.uuid(),
  flowId: z.uuid(),
  flowName: z.string(),
  version: z.number().int(),
  status: z.enum(["queued", "running", "waiting", "succeeded", "failed", "cancelled"]),
  trigger: z.string(),
  isTest: z.boolean(),
  messageId: z.string(),
  queuedAt: date,
  startedAt: date.nullable(),
  finishedAt: date.nullable(),
  durationMs: z.number().int().nullable(),
  error: runError,
});
const message = z.looseObject({ id: z.string(), body: z.unknown(), headers: z.array(z.looseObject({})) });
const stepRun = z.object({
  key: z.string(),
  stepId: z.string(),
  stepType: z.string(),
  status: z.enum(["succeeded", "failed", "skipped"]),
  port: z.string().nullable(),
  input: message.nullable(),
  output: message.nullable(),
  logs: z.array(z.object({ level: z.string(), message: z.string(), at: z.string() })),
  error: runError,
  attempt: z.number().int(),
  startedAt: date,
  finishedAt: date,
  durationMs: z.number().int(),
});
const runDetail = runSummary.extend({
  input: message,
  output: message.nullable(),
  response: z.looseObject({}).nullable(),
  parentRunId: z.uuid().nullable(),
  graph,
  steps: z.array(stepRun),
});
const started = z.object({ runId: z.uuid(), messageId: z.string() });
const runId = z.object({ runId: z.uuid() });

export const RUN_OPERATIONS: Operation[] = [
  operation({
    id: "listRuns",
    method: "GET",
    path: "/runs",
    summary: "Runs, newest first, with the Runs page's filters; page with `cursor`",
    action: "runs.read",
    query: [
      "flowId",
      "status",
      "trigger",
      "messageId",
      "from",
      "to",
      "headerName",
      "headerValue",
      "text",
      "cursor",
      "limit",
    ],
    input: listRunsInput.omit({ header: true }).extend({
      /** With `headerValue`: runs whose input message has this header with this value. */
      headerName: z.string().min(1).max(200).optional(),
      headerValue: z.string().max(2000).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    output: z.object({ runs: z.array(runSummary), nextCursor: z.uuid().nullable() }),
    run: ({ db, workspaceId }, { headerName, headerValue, ...filter }) =>
      listRuns({
        db,
        workspaceId,
        ...filter,
        ...(headerName ? { header: { name: headerName, value: headerValue ?? "" } } : {}),
      }),
  }),
  operation({
    id: "startRun",
    method: "POST",
    path: "/runs",
    summary: "Start a run of a flow's published version with a message",
    action: "runs.start",
    creates: true,
    input: z.object({
      flowId: z.uuid(),
      body: z.unknown(),
      headers: z
        .array(z.object({ name: z.string().min(1).max(200), value: z.string().max(8192) }))
        .max(100)
        .default([]),
    }),
    output: started,
    run: async ({ db, queue, workspaceId }, input) => {
      const run = await startRun({ db, queue, workspaceId, trigger: "api", ...input });
      return { runId: run.runId, messageId: run.messageId };
    },
  }),
  operation({
    id: "getRun",
    method: "GET",
    path: "/runs/{runId}",
    summary: "A run with its steps, their messages and logs",
    action: "runs.read",
    input: runId,
    output: runDetail,
    run: ({ db, workspaceId }, input) => getRun({ db, workspaceId, ...input }),
  }),
  operation({
    id: "listStepRuns",
    method: "GET",
    path: "/runs/{runId}/steps",
    summary: "The run's steps so far, in the order they ran, with their messages, logs and errors",
    action: "runs.read",
    input: runId,
    output: z.object({ status: runSummary.shape.status, steps: z.array(stepRun) }),
    run: async ({ db, workspaceId }, input) => {
      const run = await getRun({ db, workspaceId, ...input });
      return { status: run.status, steps: run.steps };
    },
  }),
  operation({
    id: "cancelRun",
    method: "POST",
    path: "/runs/{runId}/cancel",
    summary: "Cancel a run that has not ended",
    action: "runs.manage",
    input: runId,
    output: nothing,
    run: async ({ db, redis, workspaceId }, input) => {
      await cancelRun({ db, redis, workspaceId, ...input });
      return {};
    },
  }),
  operation({
    id: "rerunRun",
    method: "POST",
    path: "/runs/{runId}/rerun",
    summary: "Run the same version again on the same message",
    creates: true,
    action: "runs.manage",
    input: runId,
    output: started,
    run: async ({ db, queue, workspaceId }, input) => {
      const run = await rerun({ db, queue, workspaceId, ...input });
      return { runId: run.runId, messageId: run.messageId };
    },
  }),
  operation({
    id: "rerunFromStep",
    method: "POST",
    path: "/runs/{runId}/rerun-from",
    summary: "Run again from one step (its activation key), with the messages it had, on the current version",
    creates: true,
    action: "runs.manage",
    input: runId.extend({ stepKey: z.string().min(1).max(500) }),
    output: started,
    run: async ({ db, queue, workspaceId }, input) => {
      const run = await rerunFromStep({ db, queue, workspaceId, ...input });
      return { runId: run.runId, messageId: run.messageId };
    },
  }),
];
