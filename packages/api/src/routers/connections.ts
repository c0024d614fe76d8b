import {
  connectionIdInput,
  connectionTypes,
  deleteConnection,
  listConnections,
  saveConnection,
  saveConnectionInput,
  testConnection,
} from "@tributary/core";
import { router, userProcedure, workspaceProcedure } from "../trpc.ts";

export const connectionsRouter = router({
  /** Connection types with the JSON Schema of their config, for the form. */
  types: userProcedure.query(() => connectionTypes()),

  list: workspaceProcedure("connections.read").query(({ ctx: { db, workspace } }) =>
    listConnections({ db, workspaceId: workspace.id }),
  ),

  save: workspaceProcedure("connections.manage")
    .input(saveConnectionInput)
    .mutation(({ ctx: { db, secretBox, actor, workspace }, input }) =>
      saveConnection({ db, secretBox, actor, ...input, workspaceId: workspace.id }),
    ),

  test: workspaceProcedure("connections.manage")
    .input(connectionIdInput)
    .mutation(({ ctx: { db, secretBox, workspace, operatorAllowedHosts }, input }) =>
      testConnection({ db, secretBox, operatorAllowedHosts, ...input, workspaceId: workspace.id }),
    ),

  delete: workspaceProcedure("connections.manage")
    .input(connectionIdInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      deleteConnection({ db, actor, ...input, workspaceId: workspace.id }),
    ),
});
