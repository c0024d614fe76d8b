// Sends one alert (or digest, or test) through its rule's channel: an email, a Slack message, a webhook signed
// per Standard Webhooks, or a run of another flow. Slack and webhooks go through the guarded outbound client,
// so an alert cannot reach a private address the workspace does not allow.
import type { GuardedHttpClient } from "@tributary/connectors";
import { type Db, type SecretBox, scoped, uuidv7 } from "@tributary/db";
import type { JobQueue } from "@tributary/queue";
import { Webhook } from "standardwebhooks";
import { actionMail } from "../mail/action-mail.ts";
import type { Mailer } from "../mail/mailer.ts";
import type { RunError } from "../runs/run-views.ts";
import { startRun } from "../runs/start-run.ts";
import { type AlertChannelName, type AlertEventName, openAlertTarget } from "./alert-rules.ts";

/** What an alert sender needs; the worker provides it. */
export type AlertServices = {
  db: Db;
  queue: JobQueue;
  secretBox: SecretBox;
  /** null: SMTP_URL is not set, so email rules cannot send. */
  mailer: Mailer | null;
  /** The guarded HTTP client for a workspace's outbound policy. */
  http: (workspace: { planId: string; allowedHosts: string[] }) => GuardedHttpClient;
  /** The origin people reach Tributary at, for the links in alerts. */
  appUrl: string;
  /** The waits before each further try of an alert whose channel failed (test alerts are not tried again). */
  retryDelaysMs: readonly number[];
};

export type AlertKind = "alert" | "digest" | "test";

/** One alert as every channel tells it: the same facts, as text, Slack, JSON or a flow's input. */
export type AlertNotice = {
  kind: AlertKind;
  event: AlertEventName;
  rule: { id: string; name: string };
  workspace: { id: string; name: string; slug: string };
  flow: { id: string; name: string } | null;
  run: { id: string; status: string; trigger: string; error: RunError | null } | null;
  /** How many events it tells of: 1, or what a digest counts. */
  count: number;
  /** One sentence on what happened. */
  detail: string;
  /** The run's page (or the flow's, for events without a run). */
  link: string;
  at: string;
};

export type AlertRuleToSend = {
  id: string;
  workspaceId: string;
  channel: AlertChannelName;
  emailTo: string[];
  secret: Uint8Array | null;
  targetFlowId: string | null;
  intervalSeconds: number;
};

const EVENT_TITLES: Record<AlertEventName, string> = {
  run_failed: "a run failed",
  run_handled_errors: "a run had handled errors",
  trigger_failing: "a trigger keeps failing",
  run_slow: "a run was slow",
  queue_backlog: "runs are piling up",
};

export function alertTitle(notice: AlertNotice): string {
  const subject = notice.flow ? `Flow "${notice.flow.name}"` : `Workspace "${notice.workspace.name}"`;
  if (notice.kind === "test") return `Test alert of "${notice.rule.name}"`;
  if (notice.kind === "digest") {
    return `${subject}: ${notice.count} more time${notice.count === 1 ? "" : "s"} ${EVENT_TITLES[notice.event]}`;
  }
  return `${subject}: ${EVENT_TITLES[notice.event]}`;
}

const RESPONSE_PREVIEW = 300;

/** Sends the notice; throws an error saying what failed (kept with the delivery for the Alerts page). */
export async function sendAlert({
  services,
  rule,
  notice,
  workspace,
}: {
  services: AlertServices;
  rule: AlertRuleToSend;
  notice: AlertNotice;
  workspace: { planId: string; allowedHosts: string[] };
}): Promise<void> {
  const title = alertTitle(notice);
  switch (rule.channel) {
    case "email": {
      if (!services.mailer) {
        throw new Error("Email alerts need SMTP_URL on the worker; set it, or send this rule's alerts elsewhere.");
      }
      const interval = Math.round(rule.intervalSeconds / 60);
      await services.mailer.send({
        ...actionMail({
          to: rule.emailTo.join(", "),
          subject: title,
          lines: [title, notice.detail],
          action: notice.run ? "Open the run" : "Open the flow",
          link: notice.link,
          footer: `Sent by the alert rule "${notice.rule.name}" of the workspace "${notice.workspace.name}".${
            interval > 0 ? ` At most one alert per flow every ${interval} min; more are counted into a digest.` : ""
          }`,
        }),
      });
      return;
    }
    case "slack":
    case "webhook": {
      const target = openAlertTarget({
        secretBox: services.secretBox,
        workspaceId: rule.workspaceId,
        ruleId: rule.id,
        sealed: rule.secret,
      });
      if (!target) throw new Error("The rule has no URL; edit it and enter one.");
      const http = services.http(workspace);
      const request =
        rule.channel === "slack"
          ? { body: JSON.stringify(slackMessage(title, notice)), headers: { "content-type": "application/json" } }
          : signedWebhook(target.signingSecret, notice);
      const response = await http.request({ method: "POST", url: target.url, timeoutMs: 10_000, ...request });
      if (response.status < 200 || response.status >= 300) {
        throw new Error(
          `The ${rule.channel === "slack" ? "Slack webhook" : "webhook"} answered ${response.status}: ${response
            .text()
            .slice(0, RESPONSE_PREVIEW)}`,
        );
      }
      return;
    }
    case "flow": {
      if (!rule.targetFlowId) throw new Error("The rule names no flow to start; edit it and choose one.");
      // A flow never starts itself from its own alerts, nor do alert flows' runs start alert flows (no loops).
      if (notice.flow?.id === rule.targetFlowId || notice.run?.trigger === "error") return;
      await startRun({
        db: services.db,
        queue: services.queue,
        workspaceId: rule.workspaceId,
        flowId: rule.targetFlowId,
        trigger: "error",
        body: {
          runId: notice.run?.id ?? null,
          flowId: notice.flow?.id ?? null,
          error: notice.run?.error ?? null,
          input: await runInput(services.db, rule.workspaceId, notice.run?.id),
          alert: {
            kind: notice.kind,
            event: notice.event,
            rule: notice.rule,
            count: notice.count,
            detail: notice.detail,
            link: notice.link,
          },
        },
      });
      return;
    }
  }
}

function slackMessage(title: string, notice: AlertNotice) {
  const action = notice.run ? "Open the run" : "Open the flow";
  return {
    text: `${title}: ${notice.detail} ${notice.link}`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*${escapeSlack(title)}*\n${escapeSlack(notice.detail)}` } },
      { type: "section", text: { type: "mrkdwn", text: `<${notice.link}|${action}>` } },
    ],
  };
}

/** Slack's mrkdwn treats &, < and > as markup. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A Standard Webhooks request: its id, time and signature headers over the exact body sent. */
function signedWebhook(signingSecret: string | undefined, notice: AlertNotice) {
  if (!signingSecret) throw new Error("The webhook rule has no signing secret; edit it to make one.");
  const id = `alert_${uuidv7()}`;
  const at = new Date();
  const body = JSON.stringify({
    type: `alert.${notice.kind === "alert" ? notice.event : notice.kind}`,
    timestamp: at.toISOString(),
    data: notice,
  });
  return {
    body,
    headers: {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": new Webhook(signingSecret).sign(id, at, body),
    },
  };
}

async function runInput(db: Db, workspaceId: string, runId: string | undefined): Promise<unknown> {
  if (!runId) return null;
  const run = await scoped(db, { workspaceId }, (tx) =>
    tx.run.findFirst({ where: { id: runId, workspaceId }, select: { input: true } }),
  );
  return (run?.input as { body?: unknown } | undefined)?.body ?? null;
}
