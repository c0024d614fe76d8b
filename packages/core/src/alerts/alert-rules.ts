// Alert rules: what to watch for (a failed run, handled errors, a failing trigger, a slow run, a backlog), for
// the whole workspace or one flow, and whom to tell (email, Slack, a signed webhook, a flow to start). Every
// change is audited; a Slack or webhook URL and a webhook's signing secret are sealed at rest, and the signing
// secret is shown once, when it is made.
import { type Db, type SecretBox, scoped, type Tx } from "@tributary/db";
import type { JobQueue } from "@tributary/queue";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { emailSchema } from "../auth/email.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import { generateSigningSecret } from "../security/rule-types.ts";
import { isUniqueViolation } from "../workspaces/create-workspace.ts";

export const ALERT_EVENTS = [
  "run_failed",
  "run_handled_errors",
  "trigger_failing",
  "run_slow",
  "queue_backlog",
] as const;
export type AlertEventName = (typeof ALERT_EVENTS)[number];
export const ALERT_CHANNELS = ["email", "slack", "webhook", "flow"] as const;
export type AlertChannelName = (typeof ALERT_CHANNELS)[number];

export const alertRuleContext = ({ workspaceId, ruleId }: { workspaceId: string; ruleId: string }) =>
  `alert-rule:${workspaceId}:${ruleId}`;

/** What a Slack or webhook rule keeps sealed. */
export type AlertTargetSecret = { url: string; signingSecret?: string };

export const alertRuleIdInput = z.object({ ruleId: z.uuid() });

const url = z
  .url({ protocol: /^https?$/, message: "Enter the full http(s) URL the alerts go to." })
  .max(2000, "URLs are limited to 2,000 characters.");

const ruleFields = {
  name: z.string().trim().min(1, { message: "Name the rule." }).max(120),
  /** The flow watched; null or absent: every flow of the workspace (the default rules). */
  flowId: z.uuid().nullable().default(null),
  event: z.enum(ALERT_EVENTS),
  /** run_slow: milliseconds a run may take; queue_backlog: runs a flow may have queued. */
  threshold: z.number().int().min(1).max(2_000_000_000).nullable().default(null),
  channel: z.enum(ALERT_CHANNELS),
  /** email: the recipients. */
  emailTo: z.array(emailSchema).max(20, "At most 20 recipients; use a mailing list for more.").default([]),
  /** slack, webhook: where to send the alerts. */
  url: url.optional(),
  /** flow: the flow to start with the alert's details. */
  targetFlowId: z.uuid().nullable().default(null),
  /** At most one alert per rule and flow in this many seconds; the rest are counted into one digest. 0: each. */
  intervalSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .default(600),
  enabled: z.boolean().default(true),
};

export const createAlertRuleInput = z.object(ruleFields);
/** A change: the fields given replace the rule's; a Slack or webhook URL left out stays as it is. */
export const updateAlertRuleInput = z.object({
  ruleId: z.uuid(),
  ...ruleFields,
  /** webhook: make a new signing secret (the current one stops working at once). */
  rotateSecret: z.boolean().default(false),
});

export type AlertRuleView = {
  id: string;
  name: string;
  flowId: string | null;
  flowName: string | null;
  event: AlertEventName;
  threshold: number | null;
  channel: AlertChannelName;
  emailTo: string[];
  /** slack, webhook: the URL's origin, its path hidden. */
  targetHint: string | null;
  targetFlowId: string | null;
  targetFlowName: string | null;
  intervalSeconds: number;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  lastDelivery: { kind: string; status: string; error: string | null; createdAt: Date } | null;
};

const VIEW_SELECT = {
  id: true,
  name: true,
  flowId: true,
  flow: { select: { name: true } },
  event: true,
  threshold: true,
  channel: true,
  emailTo: true,
  targetHint: true,
  targetFlowId: true,
  targetFlow: { select: { name: true } },
  intervalSeconds: true,
  enabled: true,
  createdAt: true,
  updatedAt: true,
  deliveries: {
    orderBy: { createdAt: "desc" as const },
    take: 1,
    select: { kind: true, status: true, error: true, createdAt: true },
  },
};

type ViewRow = {
  id: string;
  name: string;
  flowId: string | null;
  flow: { name: string } | null;
  event: AlertEventName;
  threshold: number | null;
  channel: AlertChannelName;
  emailTo: string[];
  targetHint: string | null;
  targetFlowId: string | null;
  targetFlow: { name: string } | null;
  intervalSeconds: number;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  deliveries: { kind: string; status: string; error: string | null; createdAt: Date }[];
};

function toView({ flow, targetFlow, deliveries, ...row }: ViewRow): AlertRuleView {
  return {
    ...row,
    flowName: flow?.name ?? null,
    targetFlowName: targetFlow?.name ?? null,
    lastDelivery: deliveries[0] ?? null,
  };
}

export async function listAlertRules({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<AlertRuleView[]> {
  const rows = await scoped(db, { workspaceId }, (tx) =>
    tx.alertRule.findMany({
      where: { workspaceId },
      orderBy: [{ flowId: "asc" }, { name: "asc" }],
      select: VIEW_SELECT,
    }),
  );
  return rows.map(toView);
}

export type AlertDeliveryView = {
  id: string;
  ruleId: string;
  ruleName: string;
  flowId: string | null;
  runId: string | null;
  kind: string;
  count: number;
  status: string;
  error: string | null;
  createdAt: Date;
};

/** The latest alerts sent (or that failed to send), newest first. */
export async function listAlertDeliveries({
  db,
  workspaceId,
  ruleId,
  limit = 50,
}: {
  db: Db;
  workspaceId: string;
  ruleId?: string | undefined;
  limit?: number;
}): Promise<AlertDeliveryView[]> {
  const rows = await scoped(db, { workspaceId }, (tx) =>
    tx.alertDelivery.findMany({
      where: { workspaceId, ...(ruleId ? { ruleId } : {}) },
      orderBy: { createdAt: "desc" },
      take: limit,
      include: { rule: { select: { name: true } } },
    }),
  );
  return rows.map(({ rule, workspaceId: _, ...row }) => ({ ...row, ruleName: rule.name }));
}

/** What a create (or a secret rotation) shows once: a webhook rule's signing secret. */
export type SavedAlertRule = { rule: AlertRuleView; signingSecret: string | null };

type RuleInput = z.output<typeof createAlertRuleInput>;

/** What is wrong with a rule's fields for its event and channel (flows compared as given, by id or by name). */
export function alertRuleFieldProblem(input: {
  event: AlertEventName;
  threshold: number | null;
  channel: AlertChannelName;
  emailTo: string[];
  flowId: string | null;
  targetFlowId: string | null;
}): { field: string; message: string } | null {
  if ((input.event === "run_slow" || input.event === "queue_backlog") && !input.threshold) {
    return {
      field: "threshold",
      message:
        input.event === "run_slow"
          ? "Say how long a run may take (milliseconds) before it counts as slow."
          : "Say how many queued runs count as a backlog.",
    };
  }
  if (input.channel === "email" && input.emailTo.length === 0) {
    return { field: "emailTo", message: "Name at least one recipient." };
  }
  if (input.channel === "flow" && !input.targetFlowId)
    return { field: "targetFlowId", message: "Choose the flow to start." };
  if (input.channel === "flow" && input.targetFlowId && input.targetFlowId === input.flowId) {
    return { field: "targetFlowId", message: "A flow cannot be started by its own alerts; choose another flow." };
  }
  return null;
}

/** Checks a rule's fields against its event and channel, and the flows it names against the workspace. */
async function checkRule(tx: Tx, workspaceId: string, input: RuleInput) {
  const problem = alertRuleFieldProblem(input);
  if (problem) throw new AppError("BAD_REQUEST", problem.message, { fields: { [problem.field]: problem.message } });
  if (input.channel === "email") {
    // A demo is anyone's: it must not mail whom its visitor names.
    const workspace = await tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { isDemo: true } });
    if (workspace.isDemo) {
      throw new AppError("FORBIDDEN", "Demo workspaces cannot send email alerts; sign up to send them.");
    }
  }
  for (const flowId of [input.flowId, input.channel === "flow" ? input.targetFlowId : null]) {
    if (!flowId) continue;
    const flow = await tx.flow.findFirst({ where: { id: flowId, workspaceId }, select: { id: true } });
    if (!flow) throw notFound("That flow");
  }
}

/** The URL's origin, to show which target a rule sends to without showing its secret path. */
function hintOf(target: string): string {
  return `${new URL(target).origin}/…`;
}

function sealTarget(secretBox: SecretBox, workspaceId: string, ruleId: string, secret: AlertTargetSecret) {
  return Buffer.from(secretBox.seal(JSON.stringify(secret), alertRuleContext({ workspaceId, ruleId })));
}

export function openAlertTarget({
  secretBox,
  workspaceId,
  ruleId,
  sealed,
}: {
  secretBox: SecretBox;
  workspaceId: string;
  ruleId: string;
  sealed: Uint8Array | null;
}): AlertTargetSecret | null {
  return sealed
    ? (JSON.parse(secretBox.open(sealed, alertRuleContext({ workspaceId, ruleId }))) as AlertTargetSecret)
    : null;
}

/** A Slack or webhook rule without its URL (one imported from a bundle, say) waits disabled until it has one. */
function missingUrl() {
  const message = "Enter the URL the alerts go to (a rule without one can only be saved disabled).";
  return new AppError("BAD_REQUEST", message, { fields: { url: message } });
}

const nameTaken = (name: string) =>
  new AppError("CONFLICT", `An alert rule named "${name}" exists already; choose another name.`, {
    fields: { name: "That name is taken." },
  });

/** The fields a rule stores for its channel; the others are cleared, so a changed channel leaves nothing behind. */
function channelFields(input: RuleInput) {
  return {
    emailTo: input.channel === "email" ? input.emailTo : [],
    targetFlowId: input.channel === "flow" ? input.targetFlowId : null,
    threshold: input.event === "run_slow" || input.event === "queue_backlog" ? input.threshold : null,
  };
}

export async function createAlertRule({
  db,
  secretBox,
  workspaceId,
  actor,
  ...input
}: { db: Db; secretBox: SecretBox; workspaceId: string; actor: Actor } & RuleInput): Promise<SavedAlertRule> {
  const needsUrl = input.channel === "slack" || input.channel === "webhook";
  if (needsUrl && !input.url && input.enabled) throw missingUrl();
  const signingSecret = input.channel === "webhook" && input.url ? generateSigningSecret() : null;
  try {
    return await scoped(db, { workspaceId }, async (tx) => {
      await checkRule(tx, workspaceId, input);
      const created = await tx.alertRule.create({
        data: {
          workspaceId,
          name: input.name,
          flowId: input.flowId,
          event: input.event,
          channel: input.channel,
          intervalSeconds: input.intervalSeconds,
          enabled: input.enabled,
          targetHint: needsUrl && input.url ? hintOf(input.url) : null,
          ...channelFields(input),
        },
        select: { id: true },
      });
      if (needsUrl && input.url) {
        await tx.alertRule.update({
          where: { id: created.id },
          data: {
            secret: sealTarget(secretBox, workspaceId, created.id, {
              url: input.url,
              ...(signingSecret ? { signingSecret } : {}),
            }),
          },
        });
      }
      await recordAudit({
        tx,
        workspaceId,
        actor,
        action: "alert_rule.saved",
        target: { type: "alert_rule", id: created.id },
        details: auditDetails(input, "created"),
      });
      const rule = await tx.alertRule.findUniqueOrThrow({ where: { id: created.id }, select: VIEW_SELECT });
      return { rule: toView(rule), signingSecret };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(input.name);
    throw error;
  }
}

export async function updateAlertRule({
  db,
  secretBox,
  workspaceId,
  actor,
  ruleId,
  rotateSecret,
  ...input
}: { db: Db; secretBox: SecretBox; workspaceId: string; actor: Actor } & z.output<
  typeof updateAlertRuleInput
>): Promise<SavedAlertRule> {
  try {
    return await scoped(db, { workspaceId }, async (tx) => {
      const before = await tx.alertRule.findFirst({ where: { id: ruleId, workspaceId } });
      if (!before) throw notFound("That alert rule");
      await checkRule(tx, workspaceId, input);
      const needsUrl = input.channel === "slack" || input.channel === "webhook";
      const kept = openAlertTarget({ secretBox, workspaceId, ruleId, sealed: before.secret });
      const target = needsUrl ? (input.url ?? kept?.url) : undefined;
      if (needsUrl && !target && input.enabled) throw missingUrl();
      const signingSecret =
        input.channel === "webhook" && target && (rotateSecret || !kept?.signingSecret)
          ? generateSigningSecret()
          : null;
      const secret: AlertTargetSecret | null =
        needsUrl && target
          ? {
              url: target,
              ...(input.channel === "webhook" ? { signingSecret: signingSecret ?? kept?.signingSecret } : {}),
            }
          : null;
      await tx.alertRule.update({
        where: { id: ruleId },
        data: {
          name: input.name,
          flowId: input.flowId,
          event: input.event,
          channel: input.channel,
          intervalSeconds: input.intervalSeconds,
          enabled: input.enabled,
          targetHint: secret ? hintOf(secret.url) : null,
          secret: secret ? sealTarget(secretBox, workspaceId, ruleId, secret) : null,
          ...channelFields(input),
        },
      });
      // A changed rule starts afresh: what its old intervals held back no longer describes it.
      await tx.alertThrottle.deleteMany({ where: { ruleId } });
      await recordAudit({
        tx,
        workspaceId,
        actor,
        action: "alert_rule.saved",
        target: { type: "alert_rule", id: ruleId },
        details: { ...auditDetails(input, "updated"), ...(signingSecret ? { signingSecret: "new" } : {}) },
      });
      const rule = await tx.alertRule.findUniqueOrThrow({ where: { id: ruleId }, select: VIEW_SELECT });
      return { rule: toView(rule), signingSecret };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(input.name);
    throw error;
  }
}

export async function deleteAlertRule({
  db,
  workspaceId,
  actor,
  ruleId,
}: {
  db: Db;
  workspaceId: string;
  actor: Actor;
  ruleId: string;
}): Promise<void> {
  await scoped(db, { workspaceId }, async (tx) => {
    const rule = await tx.alertRule.findFirst({ where: { id: ruleId, workspaceId }, select: { name: true } });
    if (!rule) throw notFound("That alert rule");
    await tx.alertRule.delete({ where: { id: ruleId } });
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "alert_rule.deleted",
      target: { type: "alert_rule", id: ruleId },
      details: { name: rule.name },
    });
  });
}

/** Queues one sample alert through the rule's channel; its outcome shows among the rule's deliveries. */
export async function testAlertRule({
  db,
  queue,
  workspaceId,
  actor,
  ruleId,
}: {
  db: Db;
  queue: JobQueue;
  workspaceId: string;
  actor: Actor;
  ruleId: string;
}): Promise<{ queued: true }> {
  await scoped(db, { workspaceId }, async (tx) => {
    const rule = await tx.alertRule.findFirst({ where: { id: ruleId, workspaceId }, select: { name: true } });
    if (!rule) throw notFound("That alert rule");
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "alert_rule.tested",
      target: { type: "alert_rule", id: ruleId },
      details: { name: rule.name },
    });
  });
  await queue.enqueue("alerts.test", { schemaVersion: 1, workspaceId, ruleId });
  return { queued: true };
}

/** What the audit log keeps of a change: everything but the URL (a credential of its own). */
function auditDetails(input: RuleInput, change: "created" | "updated") {
  const { url: _, ...rest } = input;
  return { change, ...rest, ...(input.url ? { url: hintOf(input.url) } : {}) };
}
