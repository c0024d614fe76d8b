import { exportIdInput, exportProgress, startExport } from "@tributary/core";
import { router, userProcedure, workspaceProcedure } from "../trpc.ts";

/** A workspace export: started here, downloaded from /api/exports/<id>, its progress read here meanwhile. */
export const exportsRouter = router({
  start: workspaceProcedure("workspace.export").mutation(({ ctx: { redis, user, workspace } }) =>
    startExport({ redis, workspaceId: workspace.id, userId: user.id }),
  ),

  progress: userProcedure
    .input(exportIdInput)
    .query(({ ctx: { redis, user }, input }) => exportProgress({ redis, exportId: input.exportId, userId: user.id })),
});
