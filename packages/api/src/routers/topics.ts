import { listTopics, updateTopic, updateTopicInput } from "@tributary/core";
import { router, workspaceProcedure } from "../trpc.ts";

export const topicsRouter = router({
  /** The topics page: depth, oldest waiting message and subscribers of each topic. */
  list: workspaceProcedure("runs.read").query(({ ctx: { db, workspace } }) =>
    listTopics({ db, workspaceId: workspace.id }),
  ),

  update: workspaceProcedure("flows.edit")
    .input(updateTopicInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      updateTopic({ db, actor, ...input, workspaceId: workspace.id }),
    ),
});
