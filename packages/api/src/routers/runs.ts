import {
  bulkRerunIdInput,
  bulkRerunInput,
  cancelRun,
  getBulkRerun,
  getRun,
  getRunInput,
  listRuns,
  listRunsInput,
  rerun,
  rerunFromStep,
  rerunFromStepInput,
  rerunInput,
  runIdInput,
  startBulkRerun,
  startRun,
} from "@tributary/core";
import { z } from "zod";
import { router, workspaceProcedure } from "../trpc.ts";

export const runsRouter = router({
  list: workspaceProcedure("runs.read")
    .input(listRunsInput)
    .query(({ ctx: { db, workspace }, input }) => listRuns({ db, ...input, workspaceId: workspace.id })),

  get: workspaceProcedure("runs.read")
    .input(getRunInput)
    .query(({ ctx: { db, workspace }, input }) => getRun({ db, ...input, workspaceId: workspace.id })),

  /** A manual run of the published version, or (test) a run of the draft, with a message written by hand. */
  start: workspaceProcedure("runs.start")
    .input(
      z.object({
        flowId: z.uuid(),
        body: z.unknown(),
        headers: z
          .array(z.object({ name: z.string().min(1).max(200), value: z.string().max(8192) }))
          .max(100)
          .default([]),
        test: z.boolean().default(false),
        triggerStepId: z.string().max(64).optional(),
      }),
    )
    .mutation(({ ctx: { db, queue, workspace }, input }) =>
      startRun({
        db,
        queue,
        workspaceId: workspace.id,
        flowId: input.flowId,
        trigger: input.test ? "test" : "manual",
        body: input.body,
        headers: input.headers,
        isTest: input.test,
        ...(input.triggerStepId ? { triggerStepId: input.triggerStepId } : {}),
      }),
    ),

  cancel: workspaceProcedure("runs.manage")
    .input(runIdInput)
    .mutation(({ ctx: { db, queue, workspace }, input }) =>
      cancelRun({ db, queue, ...input, workspaceId: workspace.id }),
    ),

  rerun: workspaceProcedure("runs.manage")
    .input(rerunInput)
    .mutation(({ ctx: { db, queue, workspace }, input }) => rerun({ db, queue, ...input, workspaceId: workspace.id })),

  rerunFromStep: workspaceProcedure("runs.manage")
    .input(rerunFromStepInput)
    .mutation(({ ctx: { db, queue, workspace }, input }) =>
      rerunFromStep({ db, queue, ...input, workspaceId: workspace.id }),
    ),

  /** Re-runs every run a filter selects (e.g. a flow's failed runs since a time), in the background. */
  bulkRerun: workspaceProcedure("runs.manage")
    .input(bulkRerunInput)
    .mutation(({ ctx: { db, queue, workspace, actor }, input }) =>
      startBulkRerun({ db, queue, ...input, workspaceId: workspace.id, actor }),
    ),

  bulkRerunProgress: workspaceProcedure("runs.read")
    .input(bulkRerunIdInput)
    .query(({ ctx: { db, workspace }, input }) => getBulkRerun({ db, ...input, workspaceId: workspace.id })),
});
