import {
  alertRuleIdInput,
  createAlertRule,
  createAlertRuleInput,
  deleteAlertRule,
  listAlertDeliveries,
  listAlertRules,
  testAlertRule,
  updateAlertRule,
  updateAlertRuleInput,
} from "@tributary/core";
import { z } from "zod";
import { router, workspaceProcedure } from "../trpc.ts";

export const alertsRouter = router({
  list: workspaceProcedure("alerts.read").query(({ ctx: { db, workspace } }) =>
    listAlertRules({ db, workspaceId: workspace.id }),
  ),

  /** The latest alerts sent or failed, newest first (of one rule, when given). */
  deliveries: workspaceProcedure("alerts.read")
    .input(z.object({ ruleId: z.uuid().optional() }))
    .query(({ ctx: { db, workspace }, input }) =>
      listAlertDeliveries({ db, workspaceId: workspace.id, ruleId: input.ruleId }),
    ),

  /** A webhook rule's signing secret is in the answer: shown this once. */
  create: workspaceProcedure("alerts.manage")
    .input(createAlertRuleInput)
    .mutation(({ ctx: { db, secretBox, actor, workspace }, input }) =>
      createAlertRule({ db, secretBox, actor, ...input, workspaceId: workspace.id }),
    ),

  update: workspaceProcedure("alerts.manage")
    .input(updateAlertRuleInput)
    .mutation(({ ctx: { db, secretBox, actor, workspace }, input }) =>
      updateAlertRule({ db, secretBox, actor, ...input, workspaceId: workspace.id }),
    ),

  delete: workspaceProcedure("alerts.manage")
    .input(alertRuleIdInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      deleteAlertRule({ db, actor, ...input, workspaceId: workspace.id }),
    ),

  test: workspaceProcedure("alerts.manage")
    .input(alertRuleIdInput)
    .mutation(({ ctx: { db, queue, actor, workspace }, input }) =>
      testAlertRule({ db, queue, actor, ...input, workspaceId: workspace.id }),
    ),
});
