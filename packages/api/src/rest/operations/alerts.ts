// Alert rules: what to watch for in the workspace's flows and whom to tell, the alerts they sent, a test alert.
import {
  ALERT_CHANNELS,
  ALERT_EVENTS,
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
import { date, nothing, type Operation, operation } from "../operation.ts";

const alertRule = z.object({
  id: z.uuid(),
  name: z.string(),
  flowId: z.uuid().nullable().describe("The flow watched; null: every flow without rules of its own for the event"),
  flowName: z.string().nullable(),
  event: z.enum(ALERT_EVENTS),
  threshold: z.number().int().nullable().describe("run_slow: milliseconds; queue_backlog: queued runs"),
  channel: z.enum(ALERT_CHANNELS),
  emailTo: z.array(z.string()),
  targetHint: z.string().nullable().describe("slack, webhook: the URL's origin (its path is never shown)"),
  targetFlowId: z.uuid().nullable(),
  targetFlowName: z.string().nullable(),
  intervalSeconds: z.number().int(),
  enabled: z.boolean(),
  createdAt: date,
  updatedAt: date,
  lastDelivery: z
    .object({ kind: z.string(), status: z.string(), error: z.string().nullable(), createdAt: date })
    .nullable(),
});

const saved = z.object({
  rule: alertRule,
  signingSecret: z
    .string()
    .nullable()
    .describe("webhook: the Standard Webhooks signing secret, shown this once (on create and on rotation)"),
});

const delivery = z.object({
  id: z.uuid(),
  ruleId: z.uuid(),
  ruleName: z.string(),
  flowId: z.uuid().nullable(),
  runId: z.uuid().nullable(),
  kind: z.enum(["alert", "digest", "test"]),
  count: z.number().int(),
  status: z.enum(["sent", "failed"]),
  error: z.string().nullable(),
  createdAt: date,
});

export const ALERT_OPERATIONS: Operation[] = [
  operation({
    id: "listAlertRules",
    method: "GET",
    path: "/alert-rules",
    summary: "The workspace's alert rules, each with its last delivery",
    action: "alerts.read",
    input: z.object({}),
    output: z.object({ rules: z.array(alertRule) }),
    run: async ({ db, workspaceId }) => ({ rules: await listAlertRules({ db, workspaceId }) }),
  }),
  operation({
    id: "createAlertRule",
    method: "POST",
    path: "/alert-rules",
    summary:
      "Create an alert rule: an event (failed run, handled errors, failing trigger, slow run, backlog) for one flow or all, and a channel (email, Slack, signed webhook, a flow to start)",
    action: "alerts.manage",
    creates: true,
    input: createAlertRuleInput,
    output: saved,
    run: ({ db, secretBox, workspaceId, actor }, input) =>
      createAlertRule({ db, secretBox, workspaceId, actor, ...input }),
  }),
  operation({
    id: "updateAlertRule",
    method: "PUT",
    path: "/alert-rules/{ruleId}",
    summary: "Replace an alert rule; a Slack or webhook URL left out is kept, rotateSecret makes a new signing secret",
    action: "alerts.manage",
    input: updateAlertRuleInput,
    output: saved,
    run: ({ db, secretBox, workspaceId, actor }, input) =>
      updateAlertRule({ db, secretBox, workspaceId, actor, ...input }),
  }),
  operation({
    id: "deleteAlertRule",
    method: "DELETE",
    path: "/alert-rules/{ruleId}",
    summary: "Delete an alert rule and its delivery history",
    action: "alerts.manage",
    input: z.object({ ruleId: z.uuid() }),
    output: nothing,
    run: async ({ db, workspaceId, actor }, input) => {
      await deleteAlertRule({ db, workspaceId, actor, ...input });
      return {};
    },
  }),
  operation({
    id: "testAlertRule",
    method: "POST",
    path: "/alert-rules/{ruleId}/test",
    summary: "Send a test alert through the rule's channel; its outcome shows in the alert deliveries",
    action: "alerts.manage",
    input: z.object({ ruleId: z.uuid() }),
    output: z.object({ queued: z.literal(true) }),
    run: ({ db, queue, workspaceId, actor }, input) => testAlertRule({ db, queue, workspaceId, actor, ...input }),
  }),
  operation({
    id: "listAlertDeliveries",
    method: "GET",
    path: "/alert-deliveries",
    summary: "The latest alerts, digests and test alerts sent (or failed to send), newest first",
    action: "alerts.read",
    query: ["ruleId"],
    input: z.object({ ruleId: z.uuid().optional() }),
    output: z.object({ deliveries: z.array(delivery) }),
    run: async ({ db, workspaceId }, input) => ({
      deliveries: await listAlertDeliveries({ db, workspaceId, ruleId: input.ruleId }),
    }),
  }),
];
