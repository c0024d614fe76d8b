// The REST API's operations, each once: method and path, the permission it needs, the zod schema of its input
// (path, query and body together) and of its answer, and the core function it calls. The handler and the
// OpenAPI document are both made from this list, so the contract cannot drift from the code.

import type { Db } from "@tributary/core";
import {
  type Action,
  type Actor,
  cancelRun,
  createFlow,
  createFlowInput,
  deleteFlow,
  getFlow,
  getRun,
  type JobQueue,
  listFlows,
  listFlowVersions,
  listRuns,
  listRunsInput,
  publishFlow,
  requestScheduleSync,
  rerun,
  rerunFromStep,
  saveDraftInput,
  saveFlowDraft,
  setFlowStatus,
  startRun,
  validateGraph,
} from "@tributary/core";
import type { Redis } from "ioredis";
import { z } from "zod";

export type OperationContext = { db: Db; redis: Redis; queue: JobQueue; workspaceId: string; actor: Actor };

export type Operation = {
  id: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** OpenAPI style: /flows/{flowId} */
  path: string;
  summary: string;
  action: Action;
  /** Path parameters and query parameters are named here; everything else in `input` is the JSON body. */
  query?: readonly string[];
  input: z.ZodObject;
  output: z.ZodType;
  run: (context: OperationContext, input: never) => Promise<unknown>;
};

function operation<I extends z.ZodObject, O extends z.ZodType>(
  definition: Omit<Operation, "input" | "output" | "run"> & {
    input: I;
    output: O;
    /** Answers are checked against `output` by the contract test, after JSON encoding (dates become strings). */
    run: (context: OperationContext, input: z.output<I>) => Promise<unknown>;
  },
): Operation {
  return definition as unknown as Operation;
}

// Answers ------------------------------------------------------------------------------------------------

const date = z.iso.datetime();
const graph = z.looseObject({
  version: z.number(),
  steps: z.array(z.looseObject({})),
  edges: z.array(z.looseObject({})),
});
const flowSummary = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  status: z.enum(["active", "paused"]),
  currentVersion: z.number().int().nullable(),
  updatedAt: date,
});
const flowListItem = flowSummary.extend({
  lastRun: z.object({ status: z.string(), at: date }).nullable(),
  runsLastDay: z.number().int(),
  failedLastDay: z.number().int(),
});
const flowDetail = flowSummary.extend({
  draft: graph,
  draftRevision: z.number().int(),
  draftUpdatedBy: z.string().nullable(),
  maxConcurrentRuns: z.number().int().nullable(),
});
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
const runDetail = runSummary.extend({
  input: message,
  output: message.nullable(),
  response: z.looseObject({}).nullable(),
  parentRunId: z.uuid().nullable(),
  graph,
  steps: z.array(
    z.looseObject({
      key: z.string(),
      stepId: z.string(),
      status: z.enum(["succeeded", "failed", "skipped"]),
      input: message.nullable(),
      output: message.nullable(),
      error: runError,
      durationMs: z.number().int(),
    }),
  ),
});
const started = z.object({ runId: z.uuid(), messageId: z.string() });
const nothing = z.object({});

const flowId = z.object({ flowId: z.uuid() });
const runId = z.object({ runId: z.uuid() });

// Operations ---------------------------------------------------------------------------------------------

export const OPERATIONS: Operation[] = [
  operation({
    id: "listFlows",
    method: "GET",
    path: "/flows",
    summary: "The workspace's flows, with their last run and the last 24 hours of runs",
    action: "flows.read",
    input: z.object({}),
    output: z.object({ flows: z.array(flowListItem) }),
    run: async ({ db, workspaceId }) => ({ flows: await listFlows({ db, workspaceId }) }),
  }),
  operation({
    id: "createFlow",
    method: "POST",
    path: "/flows",
    summary: "Create a flow, optionally from a graph in the flow format",
    action: "flows.edit",
    input: createFlowInput,
    output: z.object({ id: z.uuid() }),
    run: ({ db, workspaceId, actor }, input) => createFlow({ db, workspaceId, actor, ...input }),
  }),
  operation({
    id: "validateGraph",
    method: "POST",
    path: "/flows/validate",
    summary: "The problems of a graph, as publishing would report them",
    action: "flows.read",
    input: z.object({ graph: graph }),
    output: z.object({ problems: z.array(z.looseObject({ code: z.string(), message: z.string() })) }),
    run: async (_context, input) => ({ problems: await validateGraph({ graph: input.graph as never }) }),
  }),
  operation({
    id: "getFlow",
    method: "GET",
    path: "/flows/{flowId}",
    summary: "A flow with its draft",
    action: "flows.read",
    input: flowId,
    output: flowDetail,
    run: ({ db, workspaceId }, input) => getFlow({ db, workspaceId, ...input }),
  }),
  operation({
    id: "exportFlow",
    method: "GET",
    path: "/flows/{flowId}/export",
    summary: "The flow's draft as a flow file (secrets are referenced by name, never included)",
    action: "flows.read",
    input: flowId,
    output: z.object({ format: z.literal("tributary.flow"), name: z.string(), description: z.string(), graph }),
    run: async ({ db, workspaceId }, input) => {
      const flow = await getFlow({ db, workspaceId, ...input });
      return { format: "tributary.flow" as const, name: flow.name, description: flow.description, graph: flow.draft };
    },
  }),
  operation({
    id: "saveDraft",
    method: "PUT",
    path: "/flows/{flowId}/draft",
    summary: "Replace the draft; refused when someone saved since `baseRevision`",
    action: "flows.edit",
    input: saveDraftInput,
    output: z.object({ revision: z.number().int() }),
    run: ({ db, workspaceId, actor }, input) => saveFlowDraft({ db, workspaceId, actor, ...input }),
  }),
  operation({
    id: "publishFlow",
    method: "POST",
    path: "/flows/{flowId}/publish",
    summary: "Publish the draft as a new version (refused with every problem when invalid)",
    action: "flows.publish",
    input: flowId,
    output: z.object({ versionId: z.uuid(), number: z.number().int() }),
    run: async ({ db, queue, workspaceId, actor }, input) => {
      const published = await publishFlow({ db, workspaceId, actor, ...input });
      await requestScheduleSync({ queue, workspaceId, flowId: input.flowId });
      return published;
    },
  }),
  ...(["pause", "activate"] as const).map((verb) =>
    operation({
      id: `${verb}Flow`,
      method: "POST",
      path: `/flows/{flowId}/${verb}`,
      summary: verb === "pause" ? "Pause the flow: its triggers stop starting runs" : "Activate the flow again",
      action: "flows.operate",
      input: flowId,
      output: nothing,
      run: async ({ db, queue, workspaceId, actor }, input) => {
        await setFlowStatus({ db, workspaceId, actor, ...input, status: verb === "pause" ? "paused" : "active" });
        await requestScheduleSync({ queue, workspaceId, flowId: input.flowId });
        return {};
      },
    }),
  ),
  operation({
    id: "deleteFlow",
    method: "DELETE",
    path: "/flows/{flowId}",
    summary: "Delete the flow with its versions and runs",
    action: "flows.edit",
    input: flowId,
    output: nothing,
    run: async ({ db, queue, workspaceId, actor }, input) => {
      await deleteFlow({ db, workspaceId, actor, ...input });
      await requestScheduleSync({ queue, workspaceId, flowId: input.flowId });
      return {};
    },
  }),
  operation({
    id: "listVersions",
    method: "GET",
    path: "/flows/{flowId}/versions",
    summary: "The flow's published versions, newest first",
    action: "flows.read",
    input: flowId,
    output: z.object({
      versions: z.array(
        z.object({
          id: z.uuid(),
          number: z.number().int(),
          publishedBy: z.string().nullable(),
          createdAt: date,
          current: z.boolean(),
        }),
      ),
    }),
    run: async ({ db, workspaceId }, input) => ({ versions: await listFlowVersions({ db, workspaceId, ...input }) }),
  }),
  operation({
    id: "listRuns",
    method: "GET",
    path: "/runs",
    summary: "Runs, newest first, with the Runs page's filters; page with `cursor`",
    action: "runs.read",
    query: ["flowId", "status", "trigger", "messageId", "from", "to", "text", "cursor", "limit"],
    input: listRunsInput.omit({ header: true }).extend({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
    output: z.object({ runs: z.array(runSummary), nextCursor: z.uuid().nullable() }),
    run: ({ db, workspaceId }, input) => listRuns({ db, workspaceId, ...input }),
  }),
  operation({
    id: "startRun",
    method: "POST",
    path: "/runs",
    summary: "Start a run of a flow's published version with a message",
    action: "runs.start",
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
    action: "runs.manage",
    input: runId.extend({ stepKey: z.string().min(1).max(500) }),
    output: started,
    run: async ({ db, queue, workspaceId }, input) => {
      const run = await rerunFromStep({ db, queue, workspaceId, ...input });
      return { runId: run.runId, messageId: run.messageId };
    },
  }),
];
