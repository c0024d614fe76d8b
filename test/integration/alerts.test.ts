// Alerts against real parts: a worker, a real SMTP server and a real HTTP receiver that checks Standard Webhooks
// signatures. Failed runs, handled errors, slow runs and backlogs raise alerts; a burst of 100 failures is one
// alert and one digest with the count; who may manage rules; every change audited; the SSRF guard applies.
import { setTimeout as sleep } from "node:timers/promises";
import { listAuditEvents, startRun, updateWorkspaceSettings } from "@tributary/core";
import { type Role, scoped } from "@tributary/db";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { callerFor } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { freePort } from "../support/free-port.ts";
import { type HttpTarget, json, type Received, startHttpTarget } from "../support/http-target.ts";
import { textOf, waitForMail } from "../support/mailbox.ts";
import { graph, publishedFlow, waitForRun } from "../support/run-helpers.ts";
import { startSmtpServer } from "../support/smtp.ts";
import { startWorker, type WorkerProcess } from "../support/worker-process.ts";

const APP_URL = "http://tributary.test";
const env = useTestEnvironment();
let worker: WorkerProcess;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let receiver: HttpTarget;

beforeAll(async () => {
  smtp = await startSmtpServer();
  receiver = await startHttpTarget();
  receiver.route("/alerts", (_request, response) => json(response, 200, { ok: true }));
  receiver.route("/slack", (_request, response) => response.writeHead(200).end("ok"));
  receiver.route("/down", (_request, response) => json(response, 500, { down: true }));
  // Down for its first two calls, then up.
  let flakyCalls = 0;
  receiver.route("/flaky", (_request, response) =>
    ++flakyCalls <= 2 ? json(response, 503, { down: true }) : json(response, 200, { ok: true }),
  );
  worker = await startWorker({
    databaseUrl: env.databaseUrl,
    redisPrefix: env.redisPrefix,
    env: {
      SMTP_URL: smtp.url,
      APP_URL,
      ALERT_BACKLOG_EVERY_MS: "1000",
      ALERT_RETRY_DELAYS_MS: "300,300",
      WORKER_CONCURRENCY: "20",
      SUBSCRIPTION_SYNC_MS: "500",
    },
  });
}, 120_000);
afterAll(async () => {
  await worker?.stop();
  await receiver?.close();
  await smtp?.close();
});

/** A workspace whose outbound calls may reach the loopback receiver (it is a private address). */
async function workspaceReachingReceiver(roles: Role[] = []) {
  const seeded = await seedWorkspace({ db: env.db, roles });
  await updateWorkspaceSettings({
    db: env.db,
    workspaceId: seeded.workspace.id,
    actor: seeded.owner.actor,
    allowedHosts: ["127.0.0.1"],
  });
  return seeded;
}

function failingFlow(seeded: SeededWorkspace, name = "Payments") {
  return publishedFlow({
    db: env.db,
    workspaceId: seeded.workspace.id,
    actor: seeded.owner.actor,
    name,
    graph: graph(
      [
        ["start", "trigger.manual"],
        ["charge", "data.transform", { expression: "$error('card declined')" }],
      ],
      [["start", "charge"]],
    ),
  });
}

async function start(seeded: SeededWorkspace, flowId: string) {
  const { runId } = await startRun({
    db: env.db,
    queue: env.queue,
    workspaceId: seeded.workspace.id,
    flowId,
    trigger: "manual",
    body: { order: 42 },
  });
  return runId;
}

/** Alerts the receiver got for a workspace, their signatures checked with the rule's secret. */
function alertsFor(workspaceId: string): Received[] {
  return receiver.received.filter(
    (request) => request.path === "/alerts" && request.body.includes(`"id":"${workspaceId}"`),
  );
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(50);
  }
}

type Payload = {
  type: string;
  data: { kind: string; count: number; link: string; run: { id: string } | null; detail: string };
};

function verified(request: Received, signingSecret: string): Payload {
  const headers = Object.fromEntries(
    ["webhook-id", "webhook-timestamp", "webhook-signature"].map((name) => [name, String(request.headers[name])]),
  );
  return new Webhook(signingSecret).verify(request.body, headers) as Payload;
}

describe("alert channels", () => {
  it("mails a failed run's alert, linking to the run", async () => {
    const seeded = await workspaceReachingReceiver();
    const flowId = await failingFlow(seeded);
    const owner = callerFor({ env, user: seeded.owner });
    await owner.alerts.create({
      workspaceId: seeded.workspace.id,
      name: "Mail the team",
      event: "run_failed",
      channel: "email",
      emailTo: ["ops@example.com"],
    });
    const runId = await start(seeded, flowId);
    const mail = await waitForMail(smtp, "ops@example.com", 1, 60_000);
    const text = textOf(mail);
    expect(text).toContain('Flow "Payments": a run failed');
    expect(text).toContain("card declined");
    expect(text).toContain(`${APP_URL}/w/${seeded.workspace.slug}/runs/${runId}`);
  });

  it("posts a Standard Webhooks request the receiver verifies, and a Slack message", async () => {
    const seeded = await workspaceReachingReceiver();
    const flowId = await failingFlow(seeded);
    const owner = callerFor({ env, user: seeded.owner });
    const created = await owner.alerts.create({
      workspaceId: seeded.workspace.id,
      name: "Pager",
      flowId,
      event: "run_failed",
      channel: "webhook",
      url: `${receiver.url}/alerts`,
    });
    expect(created.signingSecret).toMatch(/^whsec_/);
    await owner.alerts.create({
      workspaceId: seeded.workspace.id,
      name: "Slack",
      flowId,
      event: "run_failed",
      channel: "slack",
      url: `${receiver.url}/slack`,
    });
    const runId = await start(seeded, flowId);
    const request = await waitFor("the webhook alert", () => alertsFor(seeded.workspace.id)[0]);
    const payload = verified(request, created.signingSecret ?? "");
    expect(payload).toMatchObject({
      type: "alert.run_failed",
      data: {
        kind: "alert",
        count: 1,
        run: { id: runId },
        link: `${APP_URL}/w/${seeded.workspace.slug}/runs/${runId}`,
      },
    });
    // Tampered with, it no longer verifies.
    expect(() =>
      verified({ ...request, body: request.body.replace("card declined", "all fine") }, created.signingSecret ?? ""),
    ).toThrow();
    const slack = await waitFor("the Slack alert", () =>
      receiver.received.find((r) => r.path === "/slack" && r.body.includes(runId)),
    );
    expect(JSON.parse(slack.body)).toMatchObject({ text: expect.stringContaining("a run failed") });
  });

  it("sends a test alert from the button's procedure, and records its delivery", async () => {
    const seeded = await workspaceReachingReceiver();
    await failingFlow(seeded);
    const owner = callerFor({ env, user: seeded.owner });
    const created = await owner.alerts.create({
      workspaceId: seeded.workspace.id,
      name: "Try me",
      event: "run_failed",
      channel: "webhook",
      url: `${receiver.url}/alerts`,
    });
    await owner.alerts.test({ workspaceId: seeded.workspace.id, ruleId: created.rule.id });
    const request = await waitFor("the test alert", () => alertsFor(seeded.workspace.id)[0]);
    expect(verified(request, created.signingSecret ?? "")).toMatchObject({
      type: "alert.test",
      data: { kind: "test" },
    });
    const [delivery] = await waitFor("the delivery record", async () => {
      const found = await owner.alerts.deliveries({ workspaceId: seeded.workspace.id });
      return found.length ? found : undefined;
    });
    expect(delivery).toMatchObject({ ruleName: "Try me", kind: "test", status: "sent", error: null });
  });

  it("starts a flow with the failed run's details (the former error flow), never for its own runs", async () => {
    const seeded = await workspaceReachingReceiver();
    const failing = await failingFlow(seeded);
    const onFailure = await publishedFlow({
      db: env.db,
      workspaceId: seeded.workspace.id,
      actor: seeded.owner.actor,
      name: "On failure",
      graph: graph(
        [
          ["start", "trigger.manual"],
          ["note", "data.transform", { expression: "$error('the alert flow fails too: ' & error.message)" }],
        ],
        [["start", "note"]],
      ),
    });
    await callerFor({ env, user: seeded.owner }).alerts.create({
      workspaceId: seeded.workspace.id,
      name: "Start the alert flow",
      event: "run_failed",
      channel: "flow",
      targetFlowId: onFailure,
      intervalSeconds: 0,
    });
    const runId = await start(seeded, failing);
    const alertRun = await waitFor("the alert flow's run", () =>
      scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
        tx.run.findFirst({ where: { flowId: onFailure, trigger: "error" } }),
      ).then((run) => run ?? undefined),
    );
    const done = await waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId: alertRun.id });
    expect(done.input.body).toMatchObject({
      runId,
      flowId: failing,
      error: { message: expect.stringContaining("card declined") },
    });
    expect(done.status).toBe("failed");
    // Its own failure starts no further run of it.
    await sleep(1500);
    const runs = await scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
      tx.run.count({ where: { flowId: onFailure } }),
    );
    expect(runs).toBe(1);
  });

  it("refuses a webhook to a private address the workspace does not allow, and says so in the delivery", async () => {
    const seeded = await seedWorkspace({ db: env.db });
    const flowId = await failingFlow(seeded);
    const owner = callerFor({ env, user: seeded.owner });
    await owner.alerts.create({
      workspaceId: seeded.workspace.id,
      name: "Inside",
      event: "run_failed",
      channel: "webhook",
      url: `${receiver.url}/alerts`,
    });
    await start(seeded, flowId);
    const [delivery] = await waitFor("the failed delivery", async () => {
      const found = await owner.alerts.deliveries({ workspaceId: seeded.workspace.id });
      return found.length ? found : undefined;
    });
    expect(delivery).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/refused: it is a loopback address/),
    });
    expect(alertsFor(seeded.workspace.id)).toHaveLength(0);
  });

  it("tries a failed alert again after each retry delay, and records every try", async () => {
    const seeded = await workspaceReachingReceiver();
    const flowId = await failingFlow(seeded);
    const owner = callerFor({ env, user: seeded.owner });
    await owner.alerts.create({
      workspaceId: seeded.workspace.id,
      name: "Flaky pager",
      flowId,
      event: "run_failed",
      channel: "webhook",
      url: `${receiver.url}/flaky`,
    });
    const runId = await start(seeded, flowId);
    const deliveries = await waitFor("the alert sent on its third try", async () => {
      const found = await owner.alerts.deliveries({ workspaceId: seeded.workspace.id });
      return found.some((delivery) => delivery.status === "sent") ? found : undefined;
    });
    expect(
      deliveries
        .map((delivery) => ({ status: delivery.status, error: delivery.error, runId: delivery.runId }))
        .reverse(),
    ).toEqual([
      { status: "failed", error: expect.stringMatching(/503.*\(try 1 of 3; trying again in 0\.3 s\)$/), runId },
      { status: "failed", error: expect.stringMatching(/503.*\(try 2 of 3; trying again in 0\.3 s\)$/), runId },
      { status: "sent", error: null, runId },
    ]);
    expect(receiver.received.filter((request) => request.path === "/flaky")).toHaveLength(3);
  });
});

describe("alert events", () => {
  it("alerts on handled errors and on slow runs, by the flow's own rules over the workspace's", async () => {
    const seeded = await workspaceReachingReceiver();
    const owner = callerFor({ env, user: seeded.owner });
    const flowId = await publishedFlow({
      db: env.db,
      workspaceId: seeded.workspace.id,
      actor: seeded.owner.actor,
      name: "Shipping",
      graph: graph(
        [
          ["start", "trigger.manual"],
          ["wait", "flow.delay", { seconds: 0.3 }],
          ["call", "http.request", { url: `${receiver.url}/down` }],
          ["fallback", "data.transform", { expression: "{ 'handled': true }" }],
        ],
        [
          ["start", "wait"],
          ["wait", "call"],
          ["call", "fallback", "error"],
        ],
      ),
    });
    const hook = { channel: "webhook" as const, url: `${receiver.url}/alerts`, intervalSeconds: 0 };
    const handled = await owner.alerts.create({
      workspaceId: seeded.workspace.id,
      name: "Handled",
      event: "run_handled_errors",
      ...hook,
    });
    // The workspace's slow rule is replaced for this flow by its own (whose threshold the run passes).
    await owner.alerts.create({
      workspaceId: seeded.workspace.id,
      name: "Slow anywhere",
      event: "run_slow",
      threshold: 3_600_000,
      ...hook,
    });
    const slow = await owner.alerts.create({
      workspaceId: seeded.workspace.id,
      name: "Slow shipping",
      flowId,
      event: "run_slow",
      threshold: 100,
      ...hook,
    });
    const runId = await start(seeded, flowId);
    const run = await waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId });
    expect(run.status).toBe("succeeded");
    const requests = await waitFor("two alerts", () => {
      const found = alertsFor(seeded.workspace.id);
      return found.length >= 2 ? found : undefined;
    });
    const payloads = requests.map((request) => {
      const secret = request.body.includes('"name":"Handled"') ? handled.signingSecret : slow.signingSecret;
      return verified(request, secret ?? "");
    });
    expect(payloads.map((p) => p.type).sort()).toEqual(["alert.run_handled_errors", "alert.run_slow"]);
    expect(payloads.find((p) => p.type === "alert.run_slow")?.data.detail).toMatch(/longer than the rule's 0.1 s/);
    await sleep(1000);
    expect(alertsFor(seeded.workspace.id)).toHaveLength(2);
  });

  it("alerts when queued runs of a flow reach a backlog rule's threshold", async () => {
    const seeded = await workspaceReachingReceiver();
    const flowId = await failingFlow(seeded, "Imports");
    const owner = callerFor({ env, user: seeded.owner });
    const rule = await owner.alerts.create({
      workspaceId: seeded.workspace.id,
      name: "Backlog",
      event: "queue_backlog",
      threshold: 5,
      channel: "webhook",
      url: `${receiver.url}/alerts`,
    });
    // Runs Postgres holds as queued that no worker has taken (their jobs not queued yet).
    const versionId = await scoped(
      env.db,
      { workspaceId: seeded.workspace.id },
      async (tx) => (await tx.flow.findUniqueOrThrow({ where: { id: flowId } })).currentVersionId,
    );
    await scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
      tx.run.createMany({
        data: Array.from({ length: 6 }, (_, n) => {
          const id = crypto.randomUUID();
          return {
            id,
            workspaceId: seeded.workspace.id,
            flowId,
            flowVersionId: versionId ?? "",
            status: "queued" as const,
            trigger: "manual",
            triggerStepId: "start",
            messageId: `backlog-${n}`,
            input: { id, headers: [], body: null },
          };
        }),
      }),
    );
    const request = await waitFor("the backlog alert", () => alertsFor(seeded.workspace.id)[0]);
    expect(verified(request, rule.signingSecret ?? "")).toMatchObject({
      type: "alert.queue_backlog",
      data: {
        detail: expect.stringMatching(/^6 runs are queued/),
        link: `${APP_URL}/w/${seeded.workspace.slug}/flows/${flowId}`,
      },
    });
  });
});

describe("trigger alerts", () => {
  it("alerts when a queue trigger keeps failing, linking to its flow", async () => {
    const seeded = await workspaceReachingReceiver();
    const owner = callerFor({ env, user: seeded.owner });
    const connection = await owner.connections.save({
      workspaceId: seeded.workspace.id,
      name: "Broker",
      type: "amqp",
      config: { host: "127.0.0.1", port: await freePort(), username: "guest", password: "guest" },
    });
    const rule = await owner.alerts.create({
      workspaceId: seeded.workspace.id,
      name: "Consumers",
      event: "trigger_failing",
      channel: "webhook",
      url: `${receiver.url}/alerts`,
    });
    const flowId = await publishedFlow({
      db: env.db,
      workspaceId: seeded.workspace.id,
      actor: seeded.owner.actor,
      name: "Orders queue",
      graph: graph(
        [
          ["orders", "amqp.consume", { connectionId: connection.id, queue: "alerts-orders" }],
          ["log", "util.log", { message: "got it" }],
        ],
        [["orders", "log"]],
      ),
    });
    try {
      const request = await waitFor("the trigger alert", () => alertsFor(seeded.workspace.id)[0]);
      expect(verified(request, rule.signingSecret ?? "")).toMatchObject({
        type: "alert.trigger_failing",
        data: {
          detail: expect.stringMatching(/^The trigger "orders" failed 3 times in a row; the last error: \S/),
          link: `${APP_URL}/w/${seeded.workspace.slug}/flows/${flowId}`,
          run: null,
        },
      });
    } finally {
      await owner.flows.delete({ workspaceId: seeded.workspace.id, flowId });
    }
  });
});

describe("throttling", () => {
  it("turns a burst of 100 failures into one alert and one digest with the count", async () => {
    const seeded = await workspaceReachingReceiver();
    const flowId = await failingFlow(seeded, "Bursty");
    const owner = callerFor({ env, user: seeded.owner });
    const INTERVAL_S = 30;
    const rule = await owner.alerts.create({
      workspaceId: seeded.workspace.id,
      name: "Burst",
      flowId,
      event: "run_failed",
      channel: "webhook",
      url: `${receiver.url}/alerts`,
      intervalSeconds: INTERVAL_S,
    });
    const startedAt = Date.now();
    const runIds: string[] = [];
    for (let i = 0; i < 100; i++) runIds.push(await start(seeded, flowId));
    for (const runId of runIds) await waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId });
    const endedAt = Date.now();
    // Every failure fell into the first interval, or the digest's count could not be checked exactly.
    expect(endedAt - startedAt).toBeLessThan(INTERVAL_S * 1000 - 3000);
    const first = await waitFor("the first alert", () => alertsFor(seeded.workspace.id)[0]);
    expect(verified(first, rule.signingSecret ?? "").data).toMatchObject({ kind: "alert", count: 1 });
    await sleep(1000);
    expect(alertsFor(seeded.workspace.id)).toHaveLength(1);

    const digest = await waitFor("the digest", () => alertsFor(seeded.workspace.id)[1], INTERVAL_S * 1000 + 60_000);
    const payload = verified(digest, rule.signingSecret ?? "");
    expect(payload).toMatchObject({ type: "alert.digest", data: { kind: "digest", count: 99 } });
    expect(payload.data.detail).toContain("99 more times");
    expect(runIds).toContain(payload.data.run?.id);
    const deliveries = await owner.alerts.deliveries({ workspaceId: seeded.workspace.id });
    expect(deliveries.map((d) => [d.kind, d.count, d.status])).toEqual([
      ["digest", 99, "sent"],
      ["alert", 1, "sent"],
    ]);
  }, 180_000);
});

describe("managing alert rules", () => {
  it("lets editors and up manage rules, everyone read them, and audits every change", async () => {
    const seeded = await workspaceReachingReceiver(["admin", "editor", "operator", "viewer"]);
    const workspaceId = seeded.workspace.id;
    const input = { workspaceId, event: "run_failed" as const, channel: "email" as const, emailTo: ["a@example.com"] };
    for (const role of ["operator", "viewer"] as const) {
      const caller = callerFor({ env, user: seeded.members[role] ?? null });
      await expect(caller.alerts.create({ ...input, name: role })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(caller.alerts.list({ workspaceId })).resolves.toEqual([]);
    }
    const editor = callerFor({ env, user: seeded.members.editor ?? null });
    const created = await editor.alerts.create({ ...input, name: "Editor's" });
    const admin = callerFor({ env, user: seeded.members.admin ?? null });
    await admin.alerts.update({ ...input, ruleId: created.rule.id, name: "Admin's", enabled: false });
    await admin.alerts.test({ workspaceId, ruleId: created.rule.id });
    const viewer = callerFor({ env, user: seeded.members.viewer ?? null });
    await expect(viewer.alerts.test({ workspaceId, ruleId: created.rule.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await viewer.alerts.list({ workspaceId })).toMatchObject([{ name: "Admin's", enabled: false }]);
    await editor.alerts.delete({ workspaceId, ruleId: created.rule.id });
    const audit = await listAuditEvents({ db: env.db, workspaceId, limit: 50 });
    const alertEvents = audit.events
      .filter((event) => event.action.startsWith("alert_rule."))
      .map((event) => [event.action, event.actorEmail]);
    expect(alertEvents).toEqual([
      ["alert_rule.deleted", seeded.members.editor?.email],
      ["alert_rule.tested", seeded.members.admin?.email],
      ["alert_rule.saved", seeded.members.admin?.email],
      ["alert_rule.saved", seeded.members.editor?.email],
    ]);
  });

  it("checks a rule against its event and channel, and keeps a webhook's URL and secret out of reach", async () => {
    const seeded = await workspaceReachingReceiver();
    const workspaceId = seeded.workspace.id;
    const owner = callerFor({ env, user: seeded.owner });
    await expect(
      owner.alerts.create({
        workspaceId,
        name: "No threshold",
        event: "run_slow",
        channel: "email",
        emailTo: ["a@example.com"],
      }),
    ).rejects.toThrow(/how long a run may take/);
    await expect(
      owner.alerts.create({ workspaceId, name: "Nobody", event: "run_failed", channel: "email" }),
    ).rejects.toThrow(/at least one recipient/);
    await expect(
      owner.alerts.create({ workspaceId, name: "No URL", event: "run_failed", channel: "slack" }),
    ).rejects.toThrow(/URL/);
    // Without its URL (as a bundle brings it) a rule waits disabled, with no signing secret, until it has one.
    const waiting = await owner.alerts.create({
      workspaceId,
      name: "Waiting hook",
      event: "run_failed",
      channel: "webhook",
      enabled: false,
    });
    expect(waiting).toMatchObject({ signingSecret: null, rule: { enabled: false, targetHint: null } });
    const waitingChange = { workspaceId, ruleId: waiting.rule.id, name: "Waiting hook", event: "run_failed" as const };
    await expect(owner.alerts.update({ ...waitingChange, channel: "webhook", enabled: true })).rejects.toThrow(
      /Enter the URL the alerts go to \(a rule without one can only be saved disabled\)/,
    );
    const completed = await owner.alerts.update({
      ...waitingChange,
      channel: "webhook",
      url: "https://hooks.example.com/waiting",
      enabled: true,
    });
    expect(completed.signingSecret).toMatch(/^whsec_/);
    expect(completed.rule).toMatchObject({ enabled: true, targetHint: "https://hooks.example.com/…" });
    const created = await owner.alerts.create({
      workspaceId,
      name: "Hook",
      event: "run_failed",
      channel: "webhook",
      url: "https://hooks.example.com/T000/B000/very-secret",
    });
    const listed = JSON.stringify(await owner.alerts.list({ workspaceId }));
    expect(listed).toContain("https://hooks.example.com/…");
    expect(listed).not.toContain("very-secret");
    expect(listed).not.toContain(String(created.signingSecret));
    const row = await scoped(env.db, { workspaceId }, (tx) =>
      tx.alertRule.findUniqueOrThrow({ where: { id: created.rule.id } }),
    );
    expect(Buffer.from(row.secret ?? []).toString("latin1")).not.toContain("very-secret");
    const audit = JSON.stringify(await listAuditEvents({ db: env.db, workspaceId, limit: 10 }));
    expect(audit).not.toContain("very-secret");
    // A rotation makes a new secret; the URL is kept when left out.
    const rotated = await owner.alerts.update({
      workspaceId,
      ruleId: created.rule.id,
      name: "Hook",
      event: "run_failed",
      channel: "webhook",
      rotateSecret: true,
    });
    expect(rotated.signingSecret).toMatch(/^whsec_/);
    expect(rotated.signingSecret).not.toBe(created.signingSecret);
    expect(rotated.rule.targetHint).toBe("https://hooks.example.com/…");
    // A demo workspace (anyone's) mails nobody.
    const demo = await seedWorkspace({ db: env.db });
    await scoped(env.db, { workspaceId: demo.workspace.id }, (tx) =>
      tx.workspace.update({ where: { id: demo.workspace.id }, data: { isDemo: true } }),
    );
    await expect(
      callerFor({ env, user: demo.owner }).alerts.create({
        workspaceId: demo.workspace.id,
        name: "Spam",
        event: "run_failed",
        channel: "email",
        emailTo: ["someone@example.com"],
      }),
    ).rejects.toThrow(/Demo workspaces cannot send email alerts/);
    // Workspace B cannot reach A's rule.
    const other = await seedWorkspace({ db: env.db });
    await expect(
      callerFor({ env, user: other.owner }).alerts.delete({ workspaceId: other.workspace.id, ruleId: created.rule.id }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
