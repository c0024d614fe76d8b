// From events to alerts: which rules apply (a flow's own rules for an event replace the workspace's), the
// throttle (at most one alert per rule and flow per interval; what comes after is counted, and the count is
// sent as one digest when the interval ends, which opens the next), and the record of each delivery.
// The worker calls these from its alert jobs, after the run's commit, never on the run's path.
import { type Db, scoped, type Tx } from "@tributary/db";
import type { RunError } from "../runs/run-views.ts";
import type { AlertEventName } from "./alert-rules.ts";
import { type AlertKind, type AlertNotice, type AlertRuleToSend, type AlertServices, sendAlert } from "./send-alert.ts";

type RuleRow = AlertRuleToSend & {
  name: string;
  flowId: string | null;
  event: AlertEventName;
  threshold: number | null;
};

const RULE_SELECT = {
  id: true,
  workspaceId: true,
  name: true,
  flowId: true,
  event: true,
  threshold: true,
  channel: true,
  emailTo: true,
  secret: true,
  targetFlowId: true,
  intervalSeconds: true,
} as const;

/** One rule of the workspace, as sending needs it; null when it is gone (or turned off, with `enabledOnly`). */
async function ruleById(tx: Tx, workspaceId: string, ruleId: string, enabledOnly = false): Promise<RuleRow | null> {
  return (await tx.alertRule.findFirst({
    where: { id: ruleId, workspaceId, ...(enabledOnly ? { enabled: true } : {}) },
    select: RULE_SELECT,
  })) as RuleRow | null;
}

/** The enabled rules for an event in a flow: the flow's own when it has any, otherwise the workspace's. */
async function rulesFor(tx: Tx, workspaceId: string, flowId: string, event: AlertEventName): Promise<RuleRow[]> {
  const rules = (await tx.alertRule.findMany({
    where: { workspaceId, event, enabled: true, OR: [{ flowId }, { flowId: null }] },
    select: RULE_SELECT,
  })) as RuleRow[];
  const own = rules.filter((rule) => rule.flowId === flowId);
  return own.length ? own : rules;
}

type Context = {
  workspace: { id: string; name: string; slug: string; planId: string; allowedHosts: string[] };
  flow: { id: string; name: string } | null;
};

async function contextOf(tx: Tx, workspaceId: string, flowId: string | null): Promise<Context> {
  const workspace = await tx.workspace.findUniqueOrThrow({
    where: { id: workspaceId },
    select: { id: true, name: true, slug: true, planId: true, allowedHosts: true },
  });
  const flow = flowId
    ? await tx.flow.findFirst({ where: { id: flowId, workspaceId }, select: { id: true, name: true } })
    : null;
  return { workspace, flow };
}

type RunFacts = { id: string; status: string; trigger: string; error: RunError | null };

type Occurrence = { event: AlertEventName; flowId: string; run: RunFacts | null; detail: string };

function noticeOf({
  services,
  context,
  rule,
  kind,
  occurrence,
  count,
}: {
  services: AlertServices;
  context: Context;
  rule: { id: string; name: string };
  kind: AlertKind;
  occurrence: Occurrence;
  count: number;
}): AlertNotice {
  const base = `${services.appUrl.replace(/\/$/, "")}/w/${context.workspace.slug}`;
  return {
    kind,
    event: occurrence.event,
    rule: { id: rule.id, name: rule.name },
    workspace: { id: context.workspace.id, name: context.workspace.name, slug: context.workspace.slug },
    flow: context.flow,
    run: occurrence.run,
    count,
    detail: occurrence.detail,
    link: occurrence.run ? `${base}/runs/${occurrence.run.id}` : `${base}/flows/${occurrence.flowId}`,
    at: new Date().toISOString(),
  };
}

/**
 * Sends the notice and keeps a record of how it went. A failure is recorded, not thrown; the notice is tried
 * again after each of the services' retry delays (the record says when), except a test alert, whose sender
 * is looking at the result.
 */
async function deliver({
  services,
  rule,
  context,
  notice,
  attempt = 1,
}: {
  services: AlertServices;
  rule: RuleRow;
  context: Context;
  notice: AlertNotice;
  /** 1 for the first try. */
  attempt?: number;
}): Promise<"sent" | "failed"> {
  let error: string | null = null;
  try {
    await sendAlert({ services, rule, notice, workspace: context.workspace });
  } catch (cause) {
    error = cause instanceof Error ? cause.message : String(cause);
  }
  const retryInMs = error && notice.kind !== "test" ? services.retryDelaysMs[attempt - 1] : undefined;
  const attempts = services.retryDelaysMs.length + 1;
  if (error && notice.kind !== "test" && attempts > 1) {
    error +=
      retryInMs === undefined
        ? ` (try ${attempt} of ${attempts}; not tried again)`
        : ` (try ${attempt} of ${attempts}; trying again in ${seconds(retryInMs)})`;
  }
  const status = error ? "failed" : "sent";
  const delivery = await scoped(services.db, { workspaceId: rule.workspaceId }, (tx) =>
    tx.alertDelivery.create({
      data: {
        workspaceId: rule.workspaceId,
        ruleId: rule.id,
        flowId: notice.flow?.id ?? null,
        runId: notice.run?.id ?? null,
        kind: notice.kind,
        count: notice.count,
        status,
        error,
      },
      select: { id: true },
    }),
  );
  if (retryInMs !== undefined) {
    await services.queue.enqueue(
      "alerts.retry",
      { schemaVersion: 1, workspaceId: rule.workspaceId, ruleId: rule.id, notice, attempt: attempt + 1 },
      { jobId: `alert-retry~${delivery.id}`, delayMs: retryInMs },
    );
  }
  return status;
}

/** A failed alert's next try: the same notice through the rule as it is now; none once it is deleted or off. */
export async function retryAlert({
  services,
  workspaceId,
  ruleId,
  notice,
  attempt,
}: {
  services: AlertServices;
  workspaceId: string;
  ruleId: string;
  notice: AlertNotice;
  attempt: number;
}): Promise<"sent" | "failed" | "gone"> {
  const found = await scoped(services.db, { workspaceId }, async (tx) => {
    const rule = await ruleById(tx, workspaceId, ruleId, true);
    return rule ? { rule, context: await contextOf(tx, workspaceId, notice.flow?.id ?? null) } : null;
  });
  if (!found) return "gone";
  return deliver({ services, rule: found.rule, context: found.context, notice, attempt });
}

type Throttled = { opened: boolean; windowEndsAt: Date };

/**
 * Counts the event against the rule's interval for the flow. The first event of an interval opens it and is
 * sent; the rest are counted for the digest. An interval whose digest never came (Redis lost its job) is
 * treated as over a minute after its end, so a lost job cannot silence a rule for good.
 */
async function throttle(tx: Tx, rule: RuleRow, flowId: string, runId: string | null): Promise<Throttled> {
  const [row] = await tx.$queryRaw<{ suppressed: number; window_ends_at: Date }[]>`
    INSERT INTO alert_throttles (workspace_id, rule_id, flow_id, window_ends_at, suppressed, last_run_id)
    VALUES (${rule.workspaceId}::uuid, ${rule.id}::uuid, ${flowId}::uuid,
            now() + make_interval(secs => ${rule.intervalSeconds}), 0, ${runId}::uuid)
    ON CONFLICT (rule_id, flow_id) DO UPDATE SET
      suppressed = CASE WHEN alert_throttles.window_ends_at > now() - interval '1 minute'
                        THEN alert_throttles.suppressed + 1 ELSE 0 END,
      window_ends_at = CASE WHEN alert_throttles.window_ends_at > now() - interval '1 minute'
                            THEN alert_throttles.window_ends_at ELSE EXCLUDED.window_ends_at END,
      last_run_id = COALESCE(EXCLUDED.last_run_id, alert_throttles.last_run_id)
    RETURNING suppressed, window_ends_at`;
  if (!row) throw new Error("The alert throttle row was not written.");
  return { opened: row.suppressed === 0, windowEndsAt: row.window_ends_at };
}

async function raise({
  services,
  rule,
  context,
  occurrence,
}: {
  services: AlertServices;
  rule: RuleRow;
  context: Context;
  occurrence: Occurrence;
}): Promise<void> {
  const notice = () => noticeOf({ services, context, rule, kind: "alert", occurrence, count: 1 });
  if (rule.intervalSeconds === 0) {
    await deliver({ services, rule, context, notice: notice() });
    return;
  }
  const { opened, windowEndsAt } = await scoped(services.db, { workspaceId: rule.workspaceId }, (tx) =>
    throttle(tx, rule, occurrence.flowId, occurrence.run?.id ?? null),
  );
  if (!opened) return;
  await scheduleDigest(services, rule, occurrence.flowId, windowEndsAt);
  await deliver({ services, rule, context, notice: notice() });
}

async function scheduleDigest(services: AlertServices, rule: RuleRow, flowId: string, at: Date) {
  await services.queue.enqueue(
    "alerts.digest",
    { schemaVersion: 1, workspaceId: rule.workspaceId, ruleId: rule.id, flowId },
    { jobId: ["digest", rule.id, flowId, at.getTime()].join("~"), delayMs: Math.max(0, at.getTime() - Date.now()) },
  );
}

/** A run ended: alert the rules for a failure, handled errors, or a run slower than their threshold. */
export async function alertOnRunEnded({
  services,
  workspaceId,
  runId,
}: {
  services: AlertServices;
  workspaceId: string;
  runId: string;
}): Promise<number> {
  const found = await scoped(services.db, { workspaceId }, async (tx) => {
    const run = await tx.run.findFirst({
      where: { id: runId, workspaceId },
      select: {
        id: true,
        flowId: true,
        status: true,
        trigger: true,
        error: true,
        hadErrors: true,
        queuedAt: true,
        startedAt: true,
        finishedAt: true,
      },
    });
    if (!run || (run.status !== "failed" && run.status !== "succeeded")) return null;
    const facts: RunFacts = {
      id: run.id,
      status: run.status,
      trigger: run.trigger,
      error: (run.error as RunError | null) ?? null,
    };
    const tookMs = (run.finishedAt ?? new Date()).getTime() - (run.startedAt ?? run.queuedAt).getTime();
    const matched: { rule: RuleRow; occurrence: Occurrence }[] = [];
    const add = (rules: RuleRow[], event: AlertEventName, detail: (rule: RuleRow) => string | null) => {
      for (const rule of rules) {
        const text = detail(rule);
        if (text) matched.push({ rule, occurrence: { event, flowId: run.flowId, run: facts, detail: text } });
      }
    };
    if (run.status === "failed") {
      add(
        await rulesFor(tx, workspaceId, run.flowId, "run_failed"),
        "run_failed",
        () =>
          `The run failed: ${facts.error?.message ?? "no error was recorded"}${facts.error?.stepId ? ` (step "${facts.error.stepId}")` : ""}`,
      );
    } else if (run.hadErrors) {
      add(
        await rulesFor(tx, workspaceId, run.flowId, "run_handled_errors"),
        "run_handled_errors",
        () => "The run succeeded, but steps failed on the way and their errors were handled by error paths.",
      );
    }
    add(await rulesFor(tx, workspaceId, run.flowId, "run_slow"), "run_slow", (rule) =>
      rule.threshold && tookMs > rule.threshold
        ? `The run took ${seconds(tookMs)}, longer than the rule's ${seconds(rule.threshold)}.`
        : null,
    );
    if (!matched.length) return null;
    return { matched, context: await contextOf(tx, workspaceId, run.flowId) };
  });
  if (!found) return 0;
  for (const { rule, occurrence } of found.matched) await raise({ services, rule, context: found.context, occurrence });
  return found.matched.length;
}

/** A subscription trigger turned to failing. */
export async function alertOnTriggerFailing({
  services,
  workspaceId,
  flowId,
  stepId,
  failures,
  error,
}: {
  services: AlertServices;
  workspaceId: string;
  flowId: string;
  stepId: string;
  failures: number;
  error: string;
}): Promise<number> {
  const { rules, context } = await scoped(services.db, { workspaceId }, async (tx) => ({
    rules: await rulesFor(tx, workspaceId, flowId, "trigger_failing"),
    context: await contextOf(tx, workspaceId, flowId),
  }));
  const detail = `The trigger "${stepId}" failed ${failures} times in a row; the last error: ${error}`;
  for (const rule of rules) {
    await raise({ services, rule, context, occurrence: { event: "trigger_failing", flowId, run: null, detail } });
  }
  return rules.length;
}

/** Every workspace's flows whose queued runs reached a backlog rule's threshold. */
export async function alertOnBacklogs({ services }: { services: AlertServices }): Promise<number> {
  const rows = await services.db.$queryRaw<
    { workspace_id: string; rule_id: string; flow_id: string; queued: bigint }[]
  >`
    SELECT workspace_id::text, rule_id::text, flow_id::text, queued FROM system_alert_backlogs()`;
  let raised = 0;
  for (const row of rows) {
    const found = await scoped(services.db, { workspaceId: row.workspace_id }, async (tx) => {
      const rules = await rulesFor(tx, row.workspace_id, row.flow_id, "queue_backlog");
      const rule = rules.find((candidate) => candidate.id === row.rule_id);
      return rule ? { rule, context: await contextOf(tx, row.workspace_id, row.flow_id) } : null;
    });
    // A workspace rule is replaced for a flow that has backlog rules of its own.
    if (!found) continue;
    const detail = `${row.queued} runs are queued, waiting for a worker (the rule's threshold is ${found.rule.threshold}).`;
    await raise({
      services,
      rule: found.rule,
      context: found.context,
      occurrence: { event: "queue_backlog", flowId: row.flow_id, run: null, detail },
    });
    raised++;
  }
  return raised;
}

/** The end of an interval: the digest of what it held back (which opens the next), or the interval closes. */
export async function sendAlertDigest({
  services,
  workspaceId,
  ruleId,
  flowId,
}: {
  services: AlertServices;
  workspaceId: string;
  ruleId: string;
  flowId: string;
}): Promise<number> {
  const found = await scoped(services.db, { workspaceId }, async (tx) => {
    const [row] = await tx.$queryRaw<{ suppressed: number; window_ends_at: Date; last_run_id: string | null }[]>`
      SELECT suppressed, window_ends_at, last_run_id::text FROM alert_throttles
      WHERE rule_id = ${ruleId}::uuid AND flow_id = ${flowId}::uuid FOR UPDATE`;
    if (!row) return null;
    if (row.suppressed === 0) {
      await tx.alertThrottle.delete({ where: { ruleId_flowId: { ruleId, flowId } } });
      return null;
    }
    const rule = await ruleById(tx, workspaceId, ruleId);
    if (!rule) return null;
    const windowEndsAt = new Date(Date.now() + rule.intervalSeconds * 1000);
    await tx.alertThrottle.update({
      where: { ruleId_flowId: { ruleId, flowId } },
      data: { suppressed: 0, windowEndsAt },
    });
    const run = row.last_run_id
      ? await tx.run.findFirst({
          where: { id: row.last_run_id, workspaceId },
          select: { id: true, status: true, trigger: true, error: true },
        })
      : null;
    return {
      rule,
      count: row.suppressed,
      windowEndsAt,
      run: run ? { ...run, error: (run.error as RunError | null) ?? null } : null,
      context: await contextOf(tx, workspaceId, flowId),
    };
  });
  if (!found) return 0;
  const { rule, count, run, context } = found;
  await scheduleDigest(services, rule, flowId, found.windowEndsAt);
  const detail = `Since the last alert, this happened ${count} more time${count === 1 ? "" : "s"}${
    run ? "; the link opens the latest" : ""
  }.`;
  const occurrence: Occurrence = { event: rule.event, flowId, run, detail };
  await deliver({
    services,
    rule,
    context,
    notice: noticeOf({ services, context, rule, kind: "digest", occurrence, count }),
  });
  return count;
}

/** The "test alert" button: a sample alert through the rule's channel, never throttled. */
export async function sendTestAlert({
  services,
  workspaceId,
  ruleId,
}: {
  services: AlertServices;
  workspaceId: string;
  ruleId: string;
}): Promise<"sent" | "failed" | "gone"> {
  const found = await scoped(services.db, { workspaceId }, async (tx) => {
    const rule = await ruleById(tx, workspaceId, ruleId);
    if (!rule) return null;
    // A workspace rule is tried out on some flow of the workspace, so the link has a page to open.
    const flowId =
      rule.flowId ??
      (await tx.flow.findFirst({ where: { workspaceId }, orderBy: { createdAt: "asc" }, select: { id: true } }))?.id ??
      null;
    return { rule, flowId, context: await contextOf(tx, workspaceId, flowId) };
  });
  if (!found) return "gone";
  const { rule, flowId, context } = found;
  const occurrence: Occurrence = {
    event: rule.event,
    flowId: flowId ?? "",
    run: null,
    detail: `This is a test of the alert rule "${rule.name}". Real alerts look like this one.`,
  };
  const notice = noticeOf({ services, context, rule, kind: "test", occurrence, count: 1 });
  if (!flowId) notice.link = `${services.appUrl.replace(/\/$/, "")}/w/${context.workspace.slug}/alerts`;
  return deliver({ services, rule, context, notice });
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** What the worker's alert hook caches per workspace: which events rules watch, for which flows (null: all). */
export type AlertWatch = { event: AlertEventName; flowId: string | null };

export async function alertWatches({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<AlertWatch[]> {
  return scoped(db, { workspaceId }, (tx) =>
    tx.alertRule.findMany({
      where: { workspaceId, enabled: true },
      select: { event: true, flowId: true },
      distinct: ["event", "flowId"],
    }),
  );
}
