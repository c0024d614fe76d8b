// Flows and their versions: everything the Flows page and the builder do with a flow.
import {
  createFlow,
  createFlowInput,
  deleteFlow,
  exportFlow,
  flowPinsSchema,
  flowStatisticsInput,
  getFlow,
  getFlowStatistics,
  listFlows,
  listFlowsInput,
  listFlowVersions,
  publishFlow,
  requestScheduleSync,
  saveDraftInput,
  saveFlowDraft,
  setFlowStatus,
  updateFlow,
  updateFlowInput,
  validateGraph,
  validateGraphInput,
} from "@tributary/core";
import { z } from "zod";
import { date, graph, nothing, type Operation, operation } from "../operation.ts";

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
  pins: flowPinsSchema.meta({
    description:
      "Sample messages pinned with the draft, by step id: a trigger's sample (a template's included) or a step's output. Runs never read them.",
  }),
});
const flowId = z.object({ flowId: z.uuid() });
const milliseconds = z.number().int().nullable();
const durationSummary = z.object({
  runs: z.number().int(),
  failures: z.number().int(),
  minMs: milliseconds,
  meanMs: milliseconds,
  p95Ms: milliseconds,
  maxMs: milliseconds,
});
const flowStatistics = z.object({
  flowId: z.uuid(),
  period: z.enum(["1h", "24h", "7d"]),
  from: date,
  to: date,
  binMs: z.number().int(),
  summary: z.object({ "1h": durationSummary, "24h": durationSummary, "7d": durationSummary }),
  series: z.array(durationSummary.extend({ at: date })),
  slowestRuns: z.array(
    z.object({ runId: z.uuid(), durationMs: z.number().int(), finishedMinute: date, status: z.string().nullable() }),
  ),
  steps: z.array(
    z.object({
      stepId: z.string(),
      stepType: z.string(),
      runs: z.number().int(),
      failures: z.number().int(),
      totalMs: z.number().int(),
      meanMs: z.number().int(),
      maxMs: z.number().int(),
    }),
  ),
});

export const FLOW_OPERATIONS: Operation[] = [
  operation({
    id: "listFlows",
    method: "GET",
    path: "/flows",
    summary:
      "The workspace's flows by name, with their last run and the last 24 hours of runs; `search` (name or description) and `state` narrow it; page with `cursor` (the answer's `nextCursor`)",
    action: "flows.read",
    query: ["search", "state", "cursor", "limit"],
    input: listFlowsInput.extend({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
    output: z.object({ flows: z.array(flowListItem), nextCursor: z.string().nullable() }),
    run: ({ db, workspaceId }, input) => listFlows({ db, workspaceId, ...input }),
  }),
  operation({
    id: "createFlow",
    method: "POST",
    path: "/flows",
    summary: "Create a flow, optionally from a graph in the flow format",
    action: "flows.edit",
    creates: true,
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
    // Parsed as saving would (defaults filled in), so a flow file's graph is judged as it will be stored.
    run: async ({ db, workspaceId }, input) => ({
      problems: await validateGraph({ db, workspaceId, ...validateGraphInput.parse(input) }),
    }),
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
    id: "getFlowStatistics",
    method: "GET",
    path: "/flows/{flowId}/statistics",
    summary:
      "Runs, failures and durations (min, mean, p95, max) over the last hour, 24 hours and 7 days; a chart series, the slowest runs and the steps by time spent over `period`",
    action: "flows.read",
    query: ["period"],
    input: flowStatisticsInput,
    output: flowStatistics,
    run: ({ db, workspaceId }, input) => getFlowStatistics({ db, workspaceId, ...input }),
  }),
  operation({
    id: "exportFlow",
    method: "GET",
    path: "/flows/{flowId}/export",
    summary:
      "The flow's draft as a flow file: connections, security rules, called flows and secrets named, never given by id or value",
    action: "flows.read",
    input: flowId,
    output: z.object({ format: z.literal("tributary.flow"), name: z.string(), description: z.string(), graph }),
    run: ({ db, workspaceId }, input) => exportFlow({ db, workspaceId, ...input }),
  }),
  operation({
    id: "updateFlow",
    method: "PUT",
    path: "/flows/{flowId}",
    summary: "Rename the flow, change its description or its own limit of concurrent runs",
    action: "flows.edit",
    input: updateFlowInput,
    output: nothing,
    run: async ({ db, workspaceId, actor }, input) => {
      await updateFlow({ db, workspaceId, actor, ...input });
      return {};
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
];
