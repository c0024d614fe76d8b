import { getSsoSettings, removeSsoSettings, saveSsoSettings, ssoSettingsInput } from "@tributary/core";
import { router, workspaceProcedure } from "../trpc.ts";

/** The workspace's single sign-on, owners only; the client secret is write-only. */
export const ssoRouter = router({
  get: workspaceProcedure("sso.manage").query(({ ctx: { db, workspace } }) =>
    getSsoSettings({ db, workspaceId: workspace.id }),
  ),

  save: workspaceProcedure("sso.manage")
    .input(ssoSettingsInput)
    .mutation(({ ctx: { db, secretBox, actor, workspace, operatorAllowedHosts }, input }) =>
      saveSsoSettings({ db, secretBox, actor, operatorAllowedHosts, ...input, workspaceId: workspace.id }),
    ),

  remove: workspaceProcedure("sso.manage").mutation(({ ctx: { db, actor, workspace } }) =>
    removeSsoSettings({ db, actor, workspaceId: workspace.id }),
  ),
});
