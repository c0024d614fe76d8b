// Runs, the transaction log: start, read, list with the Runs page's filters, cancel and re-run.
import {
  bulkRerunInput,
  cancelRun,
  getBulkRerun,
  getRun,
  listRuns,
  listRunsInput,
  rerun,
  rerunFromStep,
  rerunVersion,
  runFilter,
  startBulkRerun,
  startRun,
} from "@tributary/core";
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
  hadErrors: z.boolean(),
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
  rerunOfId: z.uuid().nullable(),
  currentVersion: z.number().int().nullable(),
  takeovers: z.number().int(),
  log: z.array(z.looseObject({ at: z.string(), event: z.string() })),
  graph,
  steps: z.array(stepRun),
});
const started = z.object({ runId: z.uuid(), messageId: z.string() });
const runId = z.object({ runId: z.uuid() });
const bulkRerun = z.object({
  id: z.uuid(),
  filter: z.looseObject({}),
  version: z.enum(["current", "original"]),
  status: z.enum(["running", "succeeded", "failed"]),
  total: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: date,
  finishedAt: date.nullable(),
});

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
      "hadErrors",
      "id",
      "headerName",
      "headerValue",
      "text",
      "cursor",
      "limit",
    ],
    input: listRunsInput.omit({ header: true, hadErrors: true }).extend({
      /** Runs where a step failed and its error path took over. */
      hadErrors: z
        .enum(["true", "false"])
        .transform((value) => value === "true")
        .optional(),
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
    run: async ({ db, queue, workspaceId }, input) => {
      await cancelRun({ db, queue, workspaceId, ...input });
      return {};
    },
  }),
  operation({
    id: "rerunRun",
    method: "POST",
    path: "/runs/{runId}/rerun",
    summary: "Run the same message again, on the flow's current version (default) or the version the run used",
    creates: true,
    action: "runs.manage",
    input: runId.extend({ version: rerunVersion }),
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
    summary:
      "Run again from one step (its activation key), with the messages it had, on the current version (default) or the run's own",
    creates: true,
    action: "runs.manage",
    input: runId.extend({ stepKey: z.string().min(1).max(500), version: rerunVersion }),
    output: started,
    run: async ({ db, queue, workspaceId }, input) => {
      const run = await rerunFromStep({ db, queue, workspaceId, ...input });
      return { runId: run.runId, messageId: run.messageId };
    },
  }),
  operation({
    id: "startBulkRerun",
    method: "POST",
    path: "/bulk-reruns",
    summary:
      "Re-run every run a filter selects (e.g. a flow's failed runs since a time), in the background; at most 10,000",
    creates: true,
    action: "runs.manage",
    input: bulkRerunInput.extend({ filter: runFilter.extend({ from: date.optional(), to: date.optional() }) }),
    output: bulkRerun,
    run: ({ db, queue, workspaceId, actor }, input) =>
      startBulkRerun({
        db,
        queue,
        workspaceId,
        actor,
        version: input.version,
        filter: bulkRerunInput.shape.filter.parse(input.filter),
      }),
  }),
  operation({
    id: "getBulkRerun",
    method: "GET",
    path: "/bulk-reruns/{bulkRerunId}",
    summary: "How far a bulk re-run is: runs re-run, runs that could not be, and whether it is done",
    action: "runs.read",
    input: z.object({ bulkRerunId: z.uuid() }),
    output: bulkRerun,
    run: ({ db, workspaceId }, input) => getBulkRerun({ db, workspaceId, ...input }),
  }),
];
