import {
  createRuleInput,
  createSecurityRule,
  deleteRuleInput,
  deleteSecurityRule,
  listSecurityRules,
  removeSigningSecret,
  removeSigningSecretInput,
  rotateRuleInput,
  rotateRuleSecret,
  ruleIdInput,
  securityRuleUsage,
  updateRuleInput,
  updateSecurityRule,
} from "@tributary/core";
import { router, workspaceProcedure } from "../trpc.ts";

export const securityRouter = router({
  list: workspaceProcedure("security.read").query(({ ctx: { db, redis, secretBox, workspace } }) =>
    listSecurityRules({ db, redis, secretBox, workspaceId: workspace.id }),
  ),

  usage: workspaceProcedure("security.read")
    .input(ruleIdInput)
    .query(({ ctx: { db, workspace }, input }) => securityRuleUsage({ db, ...input, workspaceId: workspace.id })),

  /** Answers the generated password, key or signing secret: shown this once. */
  create: workspaceProcedure("security.manage")
    .input(createRuleInput)
    .mutation(({ ctx: { db, secretBox, actor, workspace }, input }) =>
      createSecurityRule({ db, secretBox, actor, ...input, workspaceId: workspace.id }),
    ),

  update: workspaceProcedure("security.manage")
    .input(updateRuleInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      updateSecurityRule({ db, actor, ...input, workspaceId: workspace.id }),
    ),

  rotate: workspaceProcedure("security.manage")
    .input(rotateRuleInput)
    .mutation(({ ctx: { db, secretBox, actor, workspace }, input }) =>
      rotateRuleSecret({ db, secretBox, actor, ...input, workspaceId: workspace.id }),
    ),

  removeSigningSecret: workspaceProcedure("security.manage")
    .input(removeSigningSecretInput)
    .mutation(({ ctx: { db, secretBox, actor, workspace }, input }) =>
      removeSigningSecret({ db, secretBox, actor, ...input, workspaceId: workspace.id }),
    ),

  delete: workspaceProcedure("security.manage")
    .input(deleteRuleInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      deleteSecurityRule({ db, actor, ...input, workspaceId: workspace.id }),
    ),
});
