import {
  exportBundle,
  getWorkspaceSettings,
  importBundle,
  importBundleInput,
  requestScheduleSync,
  updateWorkspaceSettings,
  workspaceSettingsInput,
} from "@tributary/core";
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

  /** The workspace's configuration as a bundle, to import into another workspace. */
  exportBundle: workspaceProcedure("settings.manage").query(({ ctx: { db, workspace } }) =>
    exportBundle({ db, workspaceId: workspace.id }),
  ),

  /** Imports a bundle; with dryRun, only says what it would create, change or leave. */
  importBundle: workspaceProcedure("settings.manage")
    .input(importBundleInput)
    .mutation(async ({ ctx: { db, secretBox, queue, actor, workspace }, input }) => {
      const { flowIds, ...result } = await importBundle({ db, secretBox, actor, ...input, workspaceId: workspace.id });
      for (const flowId of flowIds) await requestScheduleSync({ queue, workspaceId: workspace.id, flowId });
      return result;
    }),
});
