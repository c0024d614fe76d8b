import { deleteSecret, deleteSecretInput, listSecrets, setSecret, setSecretInput } from "@tributary/core";
import { router, workspaceProcedure } from "../trpc.ts";

export const secretsRouter = router({
  /** Names only: values are write-only. */
  list: workspaceProcedure("secrets.read").query(({ ctx: { db, workspace } }) =>
    listSecrets({ db, workspaceId: workspace.id }),
  ),

  set: workspaceProcedure("secrets.manage")
    .input(setSecretInput)
    .mutation(({ ctx: { db, secretBox, actor, workspace }, input }) =>
      setSecret({ db, secretBox, actor, ...input, workspaceId: workspace.id }),
    ),

  delete: workspaceProcedure("secrets.manage")
    .input(deleteSecretInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      deleteSecret({ db, actor, ...input, workspaceId: workspace.id }),
    ),
});
