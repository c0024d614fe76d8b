import { getWorkspaceSettings, updateWorkspaceSettings, workspaceSettingsInput } from "@tributary/core";
import { router, workspaceProcedure } from "../trpc.ts";

export const settingsRouter = router({
  get: workspaceProcedure("workspace.read").query(({ ctx: { db, workspace } }) =>
    getWorkspaceSettings({ db, workspaceId: workspace.id }),
  ),

  update: workspaceProcedure("settings.manage")
    .input(workspaceSettingsInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      updateWorkspaceSettings({ db, actor, ...input, workspaceId: workspace.id }),
    ),
});
