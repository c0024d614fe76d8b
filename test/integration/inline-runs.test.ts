// Webhooks of quick flows (steps without effects that need no worker) run as the call is taken in, and are
// stored whole before the answer (a sync caller's, or an async one's 202). No worker runs in this file: an answer proves the run ran inline; a
// flow that needs a worker, or a run that fails, is taken in the usual way and left queued for one.
import { setTimeout as sleep } from "node:timers/promises";
import { createAlertRule, createSecretBox, getFlowStatistics, getRun, setSecret } from "@tributary/core";
import { scoped } from "@tributary/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph, publishedFlow } from "../support/run-helpers.ts";
import { webhookHarness } from "../support/webhook-harness.ts";
import { TEST_ENCRYPTION_KEY } from "../support/worker-process.ts";

const env = useTestEnvironment();
let hooks: ReturnType<typeof webhookHarness>;
let seeded: SeededWorkspace;
let base = "";

beforeAll(async () => {
  hooks = webhookHarness(env);
  seeded = await seedWorkspace({ db: env.db });
  base = `/hooks/${seeded.workspace.slug}`;
  await setSecret({
    db: env.db,
    secretBox: createSecretBox({ currentKey: TEST_ENCRYPTION_KEY }),
    workspaceId: seeded.workspace.id,
    actor: seeded.owner.actor,
    name: "PRICE_KEY",
    value: "k-123456789",
  });
});
afterAll(async () => {
  await hooks?.close();
});

const ctx = () => ({ db: env.db, workspaceId: seeded.workspace.id, actor: seeded.owner.actor });
const syncHook = (path: string, extra: Record<string, unknown> = {}) =>
  ["hook", "trigger.webhook", { path, responseMode: "sync", ...extra }] as [string, string, Record<string, unknown>];
const runsOf = (flowId: string) =>
  scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
    tx.run.findMany({ where: { flowId }, select: { id: true, status: true, _count: { select: { steps: true } } } }),
  );

describe("inline runs of webhooks", () => {
  it("answers without a worker and stores the run whole: every step with its input and output, secrets redacted, statistics counted", async () => {
    const flowId = await publishedFlow({
      ...ctx(),
      graph: graph(
        [
          syncHook("quote"),
          ["big", "flow.branch", { condition: "qty > 100" }],
          ["price", "data.transform", { expression: "{ 'price': qty * 3, 'key': $secrets.PRICE_KEY }" }],
          ["reply", "http.respond", { status: 201, headers: [{ name: "X-Quote", value: "{{ price }}" }] }],
        ],
        [
          ["hook", "big"],
          ["big", "price", "false"],
          ["price", "reply"],
        ],
      ),
    });
    const response = await hooks.call(`${base}/quote`, {
      headers: { "content-type": "application/json" },
      body: '{"qty": 4}',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-quote")).toBe("12");
    expect(response.json).toEqual({ price: 12, key: "[redacted]" });

    const runId = String(response.headers.get("x-tributary-run"));
    const run = await getRun({ db: env.db, workspaceId: seeded.workspace.id, runId });
    expect(run).toMatchObject({ status: "succeeded", trigger: "webhook", isTest: false });
    expect(run.input.body).toEqual({ qty: 4 });
    expect(run.response).toMatchObject({ status: 201, body: { price: 12, key: "[redacted]" } });
    const steps = Object.fromEntries(run.steps.map((step) => [step.stepId, step]));
    expect(Object.keys(steps).sort()).toEqual(["big", "hook", "price", "reply"]);
    expect(steps.big).toMatchObject({ status: "succeeded", port: "false" });
    expect(steps.price?.input?.body).toEqual({ qty: 4 });
    expect(steps.price?.output?.body).toEqual({ price: 12, key: "[redacted]" });
    expect(steps.reply).toMatchObject({ status: "succeeded" });

    const statistics = await getFlowStatistics({ db: env.db, workspaceId: seeded.workspace.id, flowId, period: "1h" });
    expect(statistics.summary["1h"]).toMatchObject({ runs: 1, failures: 0 });
  });

  it("an async webhook's quick run has ended, stored, when its 202 comes", async () => {
    await publishedFlow({
      ...ctx(),
      graph: graph(
        [
          ["hook", "trigger.webhook", { path: "orders", responseMode: "async" }],
          ["t", "data.transform", { expression: "{ 'total': qty * 3 }" }],
        ],
        [["hook", "t"]],
      ),
    });
    const response = await hooks.call(`${base}/orders`, {
      headers: { "content-type": "application/json" },
      body: '{"qty": 2}',
    });
    expect(response.status).toBe(202);
    const { runId, messageId } = response.json as { runId: string; messageId: string };
    const run = await getRun({ db: env.db, workspaceId: seeded.workspace.id, runId });
    expect(run).toMatchObject({ status: "succeeded", messageId });
    expect(run.output?.body).toEqual({ total: 6 });
  });

  it("queues the alert evaluation of a stored run, as a worker does for its runs", async () => {
    // A workspace of its own: the hook caches each workspace's rules for a few seconds.
    const watched = await seedWorkspace({ db: env.db });
    await createAlertRule({
      db: env.db,
      secretBox: createSecretBox({ currentKey: TEST_ENCRYPTION_KEY }),
      workspaceId: watched.workspace.id,
      actor: watched.owner.actor,
      name: "Slow quotes",
      flowId: null,
      event: "run_slow",
      threshold: 1_000,
      channel: "email",
      emailTo: ["ops@example.com"],
      targetFlowId: null,
      intervalSeconds: 0,
      enabled: true,
    });
    await publishedFlow({
      db: env.db,
      workspaceId: watched.workspace.id,
      actor: watched.owner.actor,
      graph: graph([syncHook("watched"), ["t", "data.transform", { expression: "{ 'n': n }" }]], [["hook", "t"]]),
    });
    const response = await hooks.call(`/hooks/${watched.workspace.slug}/watched`, {
      headers: { "content-type": "application/json" },
      body: '{"n": 1}',
    });
    expect(response.status).toBe(200);
    const runId = String(response.headers.get("x-tributary-run"));
    const alerts = env.queue.queue("alerts");
    const deadline = Date.now() + 10_000;
    while (!(await alerts.getJob(`alert~${runId}`)) && Date.now() < deadline) await sleep(50);
    expect((await alerts.getJob(`alert~${runId}`))?.data).toMatchObject({ workspaceId: watched.workspace.id, runId });
  });

  it("stores concurrent calls' runs each once", async () => {
    const flowId = await publishedFlow({
      ...ctx(),
      graph: graph([syncHook("echo"), ["t", "data.transform", { expression: "{ 'n': n }" }]], [["hook", "t"]]),
    });
    const answers = await Promise.all(
      Array.from({ length: 15 }, (_, n) =>
        hooks.call(`${base}/echo`, { headers: { "content-type": "application/json" }, body: JSON.stringify({ n }) }),
      ),
    );
    expect(answers.map((answer) => answer.json)).toEqual(Array.from({ length: 15 }, (_, n) => ({ n })));
    const runs = await runsOf(flowId);
    expect(runs).toHaveLength(15);
    expect(runs.every((run) => run.status === "succeeded" && run._count.steps === 2)).toBe(true);
  });

  it("runs a call with an idempotency key here too: the same call again, alone or many at once, is answered with the first run, which ran once", async () => {
    const flowId = await publishedFlow({
      ...ctx(),
      graph: graph(
        [syncHook("keyed"), ["t", "data.transform", { expression: "{ 'total': qty * 3 }" }]],
        [["hook", "t"]],
      ),
    });
    // Standard Webhooks senders give every delivery a webhook-id, the same on each retry.
    const call = (id: string, body = '{"qty": 2}') =>
      hooks.call(`${base}/keyed`, { headers: { "content-type": "application/json", "webhook-id": id }, body });
    const first = await call("msg_1");
    expect([first.status, first.json]).toEqual([200, { total: 6 }]);
    const runId = first.headers.get("x-tributary-run");
    const again = await call("msg_1");
    expect([again.status, again.json, again.headers.get("x-tributary-run")]).toEqual([200, { total: 6 }, runId]);
    expect((await call("msg_1", '{"qty": 5}')).status).toBe(422);

    const together = await Promise.all(Array.from({ length: 10 }, () => call("msg_2")));
    expect(together.map((answer) => [answer.status, answer.json])).toEqual(Array(10).fill([200, { total: 6 }]));
    expect(new Set(together.map((answer) => answer.headers.get("x-tributary-run"))).size).toBe(1);
    const runs = await runsOf(flowId);
    expect(runs).toHaveLength(2);
    expect(runs.every((run) => run.status === "succeeded" && run._count.steps === 2)).toBe(true);
  });

  it.each([
    ["a step that needs a worker (code)", ["c", "code.typescript", { source: "export default (m: any) => m.body;" }]],
    ["a run that fails", ["t", "data.transform", { expression: "$error('out of stock')" }]],
    ["a step that waits", ["w", "flow.delay", { seconds: 1 }]],
  ] as const)("%s: taken in the usual way, queued for a worker, nothing of it stored twice", async (_, step) => {
    const path = `usual-${step[0]}`;
    const flowId = await publishedFlow({
      ...ctx(),
      graph: graph([syncHook(path, { timeoutSeconds: 1 }), [...step]], [["hook", step[0]]]),
    });
    const response = await hooks.call(`${base}/${path}`, {
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(504);
    expect(await runsOf(flowId)).toEqual([expect.objectContaining({ status: "queued", _count: { steps: 0 } })]);
  });
});
