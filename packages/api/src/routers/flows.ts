import {
  createFlow,
  createFlowFromTemplate,
  createFlowInput,
  createFromTemplateInput,
  deleteFlow,
  deleteFlowInput,
  exportFlow,
  flowStatisticsInput,
  getFlow,
  getFlowStatistics,
  getFlowVersion,
  getVersionInput,
  type JobQueue,
  listCallableFlows,
  listFlows,
  listFlowsInput,
  listFlowVersions,
  listListenerPorts,
  listSoapOperations,
  listTemplates,
  listTemplatesInput,
  listVersionsInput,
  listWebhookUrls,
  previewExpression,
  previewExpressionInput,
  previewFireTimes,
  previewFireTimesInput,
  publishFlow,
  publishFlowInput,
  requestScheduleSync,
  saveDraftInput,
  saveFlowDraft,
  saveFlowPins,
  savePinsInput,
  setFlowStatus,
  setFlowStatusInput,
  soapOperationsInput,
  stepTypes,
  testStep,
  testStepInput,
  triggerStatuses,
  updateFlow,
  updateFlowInput,
  validateGraph,
  validateGraphInput,
} from "@tributary/core";
import { z } from "zod";
import { router, userProcedure, workspaceProcedure } from "../trpc.ts";

/** Publishing, pausing and deleting change which schedules fire: the workers sync them at once. */
async function syncingSchedules<T>(
  { queue, workspaceId, flowId }: { queue: JobQueue; workspaceId: string; flowId: string },
  change: Promise<T>,
): Promise<T> {
  const result = await change;
  await requestScheduleSync({ queue, workspaceId, flowId });
  return result;
}

export const flowsRouter = router({
  /** The step types the builder offers, with their config schemas. */
  palette: userProcedure.query(() => stepTypes()),

  /** How the subscription triggers of these flows are doing (consuming, retrying, failing), as the workers last saw. */
  triggerStatuses: workspaceProcedure("flows.read")
    .input(z.object({ flowIds: z.array(z.uuid()).max(500) }))
    .query(({ ctx: { redis, workspace }, input }) =>
      triggerStatuses({ redis, workspaceId: workspace.id, flowIds: input.flowIds }),
    ),

  /** A page of flows by name; `search` and `state` narrow it, `nextCursor` continues it. */
  list: workspaceProcedure("flows.read")
    .input(listFlowsInput)
    .query(({ ctx: { db, workspace }, input }) => listFlows({ db, ...input, workspaceId: workspace.id })),

  /** The flows a "Call a flow" step may call (its picker). */
  callable: workspaceProcedure("flows.read").query(({ ctx: { db, workspace } }) =>
    listCallableFlows({ db, workspaceId: workspace.id }),
  ),

  get: workspaceProcedure("flows.read")
    .input(z.object({ flowId: z.uuid() }))
    .query(({ ctx: { db, workspace }, input }) => getFlow({ db, workspaceId: workspace.id, flowId: input.flowId })),

  /** Runs, failures and durations over the last hour, day and week, from the worker's minute rollups. */
  statistics: workspaceProcedure("flows.read")
    .input(flowStatisticsInput)
    .query(({ ctx: { db, workspace }, input }) => getFlowStatistics({ db, ...input, workspaceId: workspace.id })),
  export: workspaceProcedure("flows.read")
    .input(z.object({ flowId: z.uuid() }))
    .query(({ ctx: { db, workspace }, input }) => exportFlow({ db, workspaceId: workspace.id, flowId: input.flowId })),

  versions: workspaceProcedure("flows.read")
    .input(listVersionsInput)
    .query(({ ctx: { db, workspace }, input }) => listFlowVersions({ db, ...input, workspaceId: workspace.id })),

  version: workspaceProcedure("flows.read")
    .input(getVersionInput)
    .query(({ ctx: { db, workspace }, input }) => getFlowVersion({ db, ...input, workspaceId: workspace.id })),

  validate: workspaceProcedure("flows.read")
    .input(validateGraphInput)
    .query(({ ctx: { db, workspace }, input }) => validateGraph({ db, ...input, workspaceId: workspace.id })),

  create: workspaceProcedure("flows.edit")
    .input(createFlowInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      createFlow({ db, actor, ...input, workspaceId: workspace.id }),
    ),

  /** The webhook URLs the workspace's flows answer at (the overview lists them). */
  webhookUrls: workspaceProcedure("flows.read").query(({ ctx: { db, workspace } }) =>
    listWebhookUrls({ db, workspaceId: workspace.id }),
  ),

  /** The template gallery, searched. */
  templates: workspaceProcedure("flows.read")
    .input(listTemplatesInput)
    .query(({ input }) => listTemplates(input)),

  /** A new flow from a template, with its sample message; connections are the workspace's own. */
  createFromTemplate: workspaceProcedure("flows.edit")
    .input(createFromTemplateInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      createFlowFromTemplate({ db, actor, ...input, workspaceId: workspace.id }),
    ),

  update: workspaceProcedure("flows.edit")
    .input(updateFlowInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      updateFlow({ db, actor, ...input, workspaceId: workspace.id }),
    ),

  saveDraft: workspaceProcedure("flows.edit")
    .input(saveDraftInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      saveFlowDraft({ db, actor, ...input, workspaceId: workspace.id }),
    ),

  /** Pins sample messages on the trigger or steps' outputs (kept with the draft, never read by runs). */
  savePins: workspaceProcedure("flows.edit")
    .input(savePinsInput)
    .mutation(({ ctx: { db, workspace }, input }) => saveFlowPins({ db, ...input, workspaceId: workspace.id })),

  /** Runs one step of the draft on a given input, through the workers like any test run; watch the run it returns. */
  testStep: workspaceProcedure("flows.edit")
    .input(testStepInput)
    .mutation(({ ctx: { db, queue, workspace }, input }) =>
      testStep({ db, queue, ...input, workspaceId: workspace.id }),
    ),

  /** What an expression or template gives for a sample message (the config panel's live preview). */
  previewExpression: workspaceProcedure("flows.read")
    .input(previewExpressionInput)
    .query(({ input }) => previewExpression(input)),

  /** The next five fire times of a schedule or polling trigger's config. */
  fireTimes: workspaceProcedure("flows.read")
    .input(previewFireTimesInput)
    .query(({ input }) => previewFireTimes(input)),

  /** The ports a flow's listener triggers (HL7 MLLP) were given by the workers. */
  listenerPorts: workspaceProcedure("flows.read")
    .input(z.object({ flowId: z.uuid() }))
    .query(({ ctx: { db, workspace }, input }) =>
      listListenerPorts({ db, workspaceId: workspace.id, flowId: input.flowId }),
    ),

  /** The operations of a SOAP call step's WSDL (read on demand: it may be fetched, and large). */
  soapOperations: workspaceProcedure("flows.edit")
    .input(soapOperationsInput)
    .mutation(({ ctx: { db, workspace, operatorAllowedHosts }, input }) =>
      listSoapOperations({ db, workspaceId: workspace.id, wsdl: input.wsdl, operatorAllowedHosts }),
    ),

  publish: workspaceProcedure("flows.publish")
    .input(publishFlowInput)
    .mutation(({ ctx: { db, queue, actor, workspace }, input }) =>
      syncingSchedules(
        { queue, workspaceId: workspace.id, flowId: input.flowId },
        publishFlow({ db, actor, ...input, workspaceId: workspace.id }),
      ),
    ),

  setStatus: workspaceProcedure("flows.operate")
    .input(setFlowStatusInput)
    .mutation(({ ctx: { db, queue, actor, workspace }, input }) =>
      syncingSchedules(
        { queue, workspaceId: workspace.id, flowId: input.flowId },
        setFlowStatus({ db, actor, ...input, workspaceId: workspace.id }),
      ),
    ),

  delete: workspaceProcedure("flows.edit")
    .input(deleteFlowInput)
    .mutation(({ ctx: { db, queue, actor, workspace }, input }) =>
      syncingSchedules(
        { queue, workspaceId: workspace.id, flowId: input.flowId },
        deleteFlow({ db, actor, ...input, workspaceId: workspace.id }),
      ),
    ),
});
