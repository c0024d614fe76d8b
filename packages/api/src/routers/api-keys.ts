import {
  apiKeyIdInput,
  assertEmailVerified,
  createApiKey,
  createApiKeyInput,
  listApiKeys,
  revokeApiKey,
} from "@tributary/core";
import { router, verificationOf, workspaceProcedure } from "../trpc.ts";

export const apiKeysRouter = router({
  list: workspaceProcedure("apikeys.manage").query(({ ctx: { db, workspace } }) =>
    listApiKeys({ db, workspaceId: workspace.id }),
  ),

  /** Answers the key itself: shown this once. */
  create: workspaceProcedure("apikeys.manage")
    .input(createApiKeyInput)
    .mutation(async ({ ctx, input }) => {
      const { db, actor, workspace } = ctx;
      await assertEmailVerified({
        db,
        verification: verificationOf(ctx),
        userId: actor.userId,
        doing: "create API keys",
      });
      return createApiKey({ db, actor, ...input, workspaceId: workspace.id });
    }),

  revoke: workspaceProcedure("apikeys.manage")
    .input(apiKeyIdInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      revokeApiKey({ db, actor, ...input, workspaceId: workspace.id }),
    ),
});
