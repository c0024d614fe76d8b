import {
  deadLetterIdsInput,
  discardDeadLetters,
  listDeadLetters,
  listDeadLettersInput,
  replayAllDeadLetters,
  replayAllDeadLettersInput,
  replayDeadLetters,
} from "@tributary/core";
import { router, workspaceProcedure } from "../trpc.ts";

/** A flow's dead letters: failed runs of its queue, stream and poll triggers, to replay or discard. */
export const deadLettersRouter = router({
  list: workspaceProcedure("runs.read")
    .input(listDeadLettersInput)
    .query(({ ctx: { db, workspace }, input }) => listDeadLetters({ db, ...input, workspaceId: workspace.id })),

  /** Replays these dead letters now, on the flow's current version. */
  replay: workspaceProcedure("runs.manage")
    .input(deadLetterIdsInput)
    .mutation(({ ctx: { db, queue, workspace, actor }, input }) =>
      replayDeadLetters({ db, queue, ...input, workspaceId: workspace.id, actor }),
    ),

  /** Replays every open dead letter of the flow in the background (a bulk re-run; see runs.bulkRerunProgress). */
  replayAll: workspaceProcedure("runs.manage")
    .input(replayAllDeadLettersInput)
    .mutation(({ ctx: { db, queue, workspace, actor }, input }) =>
      replayAllDeadLetters({ db, queue, ...input, workspaceId: workspace.id, actor }),
    ),

  discard: workspaceProcedure("runs.manage")
    .input(deadLetterIdsInput)
    .mutation(({ ctx: { db, workspace, actor }, input }) =>
      discardDeadLetters({ db, ...input, workspaceId: workspace.id, actor }),
    ),
});
