import { getWorkspaceSettings, updateWorkspaceSettings, workspaceSettingsInput } from "@tributary/core";
import { router, workspaceProcedure } from "../trpc.ts";

export const settingsRouter = router({
  /** The workspace's settings, with the hosts the installation's operator allows every workspace (read-only). */
  get: workspaceProcedure("workspace.read").query(async ({ ctx: { db, workspace, operatorAllowedHosts } }) => ({
    ...(await getWorkspaceSettings({ db, workspaceId: workspace.id })),
    operatorAllowedHosts: [...(operatorAllowedHosts ?? [])],
  })),

  update: workspaceProcedure("settings.manage")
    .input(workspaceSettingsInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      updateWorkspaceSettings({ db, actor, ...input, workspaceId: workspace.id }),
    ),
});
