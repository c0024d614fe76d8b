import {
  createFlow,
  createFlowInput,
  deleteFlow,
  deleteFlowInput,
  getFlow,
  listFlows,
  listFlowVersions,
  listVersionsInput,
  publishFlow,
  publishFlowInput,
  saveDraftInput,
  saveFlowDraft,
  setFlowStatus,
  setFlowStatusInput,
  stepTypes,
  updateFlow,
  updateFlowInput,
  validateGraph,
  validateGraphInput,
} from "@tributary/core";
import { z } from "zod";
import { router, userProcedure, workspaceProcedure } from "../trpc.ts";

export const flowsRouter = router({
  /** The step types the builder offers, with their config schemas. */
  palette: userProcedure.query(() => stepTypes()),

  list: workspaceProcedure("flows.read").query(({ ctx: { db, workspace } }) =>
    listFlows({ db, workspaceId: workspace.id }),
  ),

  get: workspaceProcedure("flows.read")
    .input(z.object({ flowId: z.uuid() }))
    .query(({ ctx: { db, workspace }, input }) => getFlow({ db, workspaceId: workspace.id, flowId: input.flowId })),

  versions: workspaceProcedure("flows.read")
    .input(listVersionsInput)
    .query(({ ctx: { db, workspace }, input }) => listFlowVersions({ db, ...input, workspaceId: workspace.id })),

  validate: workspaceProcedure("flows.read")
    .input(validateGraphInput)
    .query(({ input }) => validateGraph(input)),

  create: workspaceProcedure("flows.edit")
    .input(createFlowInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      createFlow({ db, actor, ...input, workspaceId: workspace.id }),
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

  publish: workspaceProcedure("flows.publish")
    .input(publishFlowInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      publishFlow({ db, actor, ...input, workspaceId: workspace.id }),
    ),

  setStatus: workspaceProcedure("flows.operate")
    .input(setFlowStatusInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      setFlowStatus({ db, actor, ...input, workspaceId: workspace.id }),
    ),

  delete: workspaceProcedure("flows.edit")
    .input(deleteFlowInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      deleteFlow({ db, actor, ...input, workspaceId: workspace.id }),
    ),
});
