// The webhook ingress with real Postgres, Redis and a real worker: URLs, methods, content types, response
// modes, limits, idempotency and test URLs.
import { createDb, createSecretBox, createSecurityRule, setFlowStatus } from "@tributary/core";
import { scoped } from "@tributary/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph, publishedFlow, waitForRun } from "../support/run-helpers.ts";
import { webhookHarness } from "../support/webhook-harness.ts";
import { startWorker, TEST_ENCRYPTION_KEY, type WorkerProcess } from "../support/worker-process.ts";

const env = useTestEnvironment();
let worker: WorkerProcess;
let hooks: ReturnType<typeof webhookHarness>;
let seeded: SeededWorkspace;
let base = "";

beforeAll(async () => {
  worker = await startWorker({ databaseUrl: env.databaseUrl, redisPrefix: env.redisPrefix });
  hooks = webhookHarness(env);
  seeded = await seedWorkspace({ db: env.db });
  base = `/hooks/${seeded.workspace.slug}`;
});
afterAll(async () => {
  await hooks?.close();
  await worker?.stop();
});

const ctx = () => ({ db: env.db, workspaceId: seeded.workspace.id, actor: seeded.owner.actor });
const hook = (path: string, extra: Record<string, unknown> = {}) =>
  ["hook", "trigger.webhook", { path, methods: ["POST", "PUT"], ...extra }] as [
    string,
    string,
    Record<string, unknown>,
  ];

describe("webhook channels", () => {
  it("async: answers 202 with the run id once the run is committed; the request becomes the message", async () => {
    await publishedFlow({
      ...ctx(),
      graph: graph(
        [hook("orders/{orderId}"), ["t", "data.transform", { expression: "{ 'total': total }" }]],
        [["hook", "t"]],
      ),
    });
    const response = await hooks.call(`${base}/orders/A-17?source=shop&tag=x`, {
      headers: { "content-type": "application/json", authorization: "Bearer sensitive", "x-shop": "berlin" },
      body: JSON.stringify({ total: 42 }),
    });
    expect(response.status).toBe(202);
    const { runId, messageId } = response.json as { runId: string; messageId: string };
    const run = await waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId });
    expect(run.status).toBe("succeeded");
    expect(run.messageId).toBe(messageId);
    expect(run.input.body).toEqual({ total: 42 });
    const headers = Object.fromEntries(run.input.headers.map((h) => [h.name, h.value]));
    expect(headers).toMatchObject({
      "http-method": "POST",
      "http-path": "orders/A-17",
      "param.orderId": "A-17",
      "query.source": "shop",
      "query.tag": "x",
      "x-shop": "berlin",
      authorization: "[redacted]",
    });
  });

  it.each([
    ["application/x-www-form-urlencoded", "a=1&b=2&b=3&__proto__=x", { a: "1", b: ["2", "3"], ["__proto__"]: "x" }],
    ["text/plain", "hello there", "hello there"],
    ["application/xml", "<order id='1'/>", "<order id='1'/>"],
    [
      "application/octet-stream",
      "\u0001\u0002binary",
      {
        contentType: "application/octet-stream",
        size: 8,
        base64: Buffer.from("\u0001\u0002binary").toString("base64"),
      },
    ],
  ])("parses %s bodies", async (contentType, body, expected) => {
    const path = `types/${contentType.replace(/\W/g, "")}`;
    await publishedFlow({ ...ctx(), graph: graph([hook(path)], []) });
    const response = await hooks.call(`${base}/${path}`, { headers: { "content-type": contentType }, body });
    expect(response.status).toBe(202);
    const run = await waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId: String(response.json.runId) });
    expect(run.input.body).toEqual(expected);
    expect(Object.getPrototypeOf(run.input.body ?? {})).not.toBe(null);
  });

  it("sync: answers with the respond step's status, headers and body", async () => {
    await publishedFlow({
      ...ctx(),
      graph: graph(
        [
          hook("quote", { responseMode: "sync" }),
          ["price", "data.transform", { expression: "{ 'price': qty * 3 }" }],
          ["reply", "http.respond", { status: 201, headers: [{ name: "X-Quote", value: "{{ price }}" }] }],
        ],
        [
          ["hook", "price"],
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
    expect(response.json).toEqual({ price: 12 });
  });

  it("sync: without a respond step answers the last step's body; a failed flow answers 500 with the run id", async () => {
    await publishedFlow({
      ...ctx(),
      graph: graph(
        [hook("echo", { responseMode: "sync" }), ["t", "data.transform", { expression: "{ 'got': $ }" }]],
        [["hook", "t"]],
      ),
    });
    const ok = await hooks.call(`${base}/echo`, { headers: { "content-type": "text/plain" }, body: "ping" });
    expect(ok).toMatchObject({ status: 200, json: { got: "ping" } });
    await publishedFlow({
      ...ctx(),
      graph: graph(
        [hook("broken", { responseMode: "sync" }), ["t", "data.transform", { expression: "$error('out of stock')" }]],
        [["hook", "t"]],
      ),
    });
    const failed = await hooks.call(`${base}/broken`);
    expect(failed.status).toBe(500);
    expect(failed.json.error).toMatchObject({ code: "run_failed", message: expect.stringMatching(/out of stock/) });
  });

  it("sync: answers 504 with the run id after the trigger's timeout, and the run goes on", async () => {
    await publishedFlow({
      ...ctx(),
      graph: graph(
        [hook("slow", { responseMode: "sync", timeoutSeconds: 1 }), ["wait", "flow.delay", { seconds: 2 }]],
        [["hook", "wait"]],
      ),
    });
    const started = Date.now();
    const response = await hooks.call(`${base}/slow`);
    expect(response.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(3_000);
    const runId = String((response.json.error as unknown as { details: { runId: string } }).details.runId);
    expect((await waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId })).status).toBe("succeeded");
  });

  it("answers 404 for an unknown workspace or path, 405 for a method not allowed, 503 for a paused flow", async () => {
    const flowId = await publishedFlow({ ...ctx(), graph: graph([hook("pausable")], []) });
    expect((await hooks.call(`/hooks/no-such-workspace/pausable`)).status).toBe(404);
    expect((await hooks.call(`${base}/no-such-path`)).status).toBe(404);
    const wrongMethod = await hooks.call(`${base}/pausable`, { method: "DELETE" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST, PUT");
    await setFlowStatus({ ...ctx(), flowId, status: "paused" });
    // The harness keeps no routes between calls (cacheTtlMs: 0): the pause is in force at once.
    const paused = await hooks.call(`${base}/pausable`);
    expect(paused.status).toBe(503);
    expect(paused.json.error?.message).toMatch(/paused/);
  });

  it("refuses a body over the plan's size with 413, before reading it all; never truncates", async () => {
    await publishedFlow({ ...ctx(), graph: graph([hook("big")], []) });
    const declared = await hooks.call(`${base}/big`, {
      headers: { "content-length": String(5 * 1024 * 1024) },
      body: "x",
    });
    expect(declared.status).toBe(413);
    const streamed = await hooks.call(`${base}/big`, { body: "x".repeat(1024 * 1024 + 1) });
    expect(streamed.status).toBe(413);
  });

  it("refuses malformed JSON with 400 and starts no run", async () => {
    await publishedFlow({ ...ctx(), graph: graph([hook("strict")], []) });
    const response = await hooks.call(`${base}/strict`, {
      headers: { "content-type": "application/json" },
      body: '{"open": ',
    });
    expect(response.status).toBe(400);
    expect(response.json.error?.message).toMatch(/not valid JSON/);
  });

  it("limits calls per minute with 429 and Retry-After", async () => {
    await publishedFlow({ ...ctx(), graph: graph([hook("limited")], []) });
    const minute = Math.floor(Date.now() / 60_000);
    await env.redis.set(`ingress:rate:${seeded.workspace.id}:${minute}`, "600", "EX", 120);
    const response = await hooks.call(`${base}/limited`);
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    await env.redis.del(`ingress:rate:${seeded.workspace.id}:${minute}`);
  });

  it("limits callers waiting on sync answers: over the plan's number, 429 with Retry-After and nothing accepted", async () => {
    const flowId = await publishedFlow({
      ...ctx(),
      graph: graph(
        [hook("crowded", { responseMode: "sync" }), ["echo", "data.transform", { expression: "{ 'ok': true }" }]],
        [["hook", "echo"]],
      ),
    });
    const waitsKey = `ingress:sync-waits:${seeded.workspace.id}`;
    await env.redis.set(waitsKey, "100000");
    try {
      const response = await hooks.call(`${base}/crowded`, {
        body: "{}",
        headers: { "content-type": "application/json" },
      });
      expect(response.status).toBe(429);
      expect(response.headers.get("retry-after")).toBe("1");
      expect(response.json.error?.code).toBe("too_many_waiting");
      const runs = await scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
        tx.run.count({ where: { flowId } }),
      );
      expect(runs).toBe(0);
    } finally {
      await env.redis.del(waitsKey);
    }
  });

  it("answers 503 and writes nothing when Postgres cannot be reached", async () => {
    const unreachable = createDb({ url: "postgresql://postgres@127.0.0.1:1/nowhere", maxConnections: 1 });
    const offline = webhookHarness({ ...env, db: unreachable });
    try {
      const response = await offline.call(`${base}/orders/1`, { body: "{}" });
      expect(response.status).toBe(503);
      expect(response.json.error?.message).toMatch(/try again/i);
    } finally {
      await offline.close();
      await unreachable.$disconnect();
    }
  });

  it("an Idempotency-Key repeats the first answer and starts no new run, also under concurrency", async () => {
    const flowId = await publishedFlow({ ...ctx(), graph: graph([hook("pay")], []) });
    const first = await hooks.call(`${base}/pay`, { headers: { "idempotency-key": "pay-1" }, body: "a" });
    const again = await hooks.call(`${base}/pay`, { headers: { "idempotency-key": "pay-1" }, body: "a" });
    expect(again.json.runId).toBe(first.json.runId);
    const parallel = await Promise.all(
      Array.from({ length: 20 }, () =>
        hooks.call(`${base}/pay`, { headers: { "idempotency-key": "pay-2" }, body: "b" }),
      ),
    );
    expect(parallel.every((r) => r.status === 202)).toBe(true);
    expect(new Set(parallel.map((r) => r.json.runId)).size).toBe(1);
    const runs = await scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
      tx.run.count({ where: { flowId } }),
    );
    expect(runs).toBe(2);
  });

  it("an Idempotency-Key belongs to its webhook: the same key on another one starts that flow's own run", async () => {
    await publishedFlow({ ...ctx(), graph: graph([hook("refunds")], []), name: "Refunds" });
    await publishedFlow({ ...ctx(), graph: graph([hook("invoices")], []), name: "Invoices" });
    const refund = await hooks.call(`${base}/refunds`, { headers: { "idempotency-key": "shared-7" }, body: "x" });
    const invoice = await hooks.call(`${base}/invoices`, { headers: { "idempotency-key": "shared-7" }, body: "x" });
    expect([refund.status, invoice.status]).toEqual([202, 202]);
    expect(invoice.json.runId).not.toBe(refund.json.runId);
    const run = await waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId: String(invoice.json.runId) });
    expect(run.flowName).toBe("Invoices");
  });

  it("refuses an Idempotency-Key sent again with a different body: 422 naming the key, no run", async () => {
    const flowId = await publishedFlow({ ...ctx(), graph: graph([hook("charge")], []), name: "Charges" });
    const first = await hooks.call(`${base}/charge`, { headers: { "idempotency-key": "charge-9" }, body: "10 EUR" });
    expect(first.status).toBe(202);
    const reused = await hooks.call(`${base}/charge`, { headers: { "idempotency-key": "charge-9" }, body: "99 EUR" });
    expect(reused.status).toBe(422);
    expect(reused.json.error?.message).toMatch(/"charge-9" was used before with a different body/);
    const runs = await scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
      tx.run.count({ where: { flowId } }),
    );
    expect(runs).toBe(1);
  });

  it("a draft answers at the test URL only, and its runs are marked as tests", async () => {
    const { createFlow } = await import("@tributary/core");
    await createFlow({
      ...ctx(),
      name: "Draft only",
      description: "",
      graph: graph([hook("draft-only"), ["t", "data.transform", { expression: "'draft'" }]], [["hook", "t"]]),
    });
    expect((await hooks.call(`${base}/draft-only`)).status).toBe(404);
    const test = await hooks.call(`/hooks-test/${seeded.workspace.slug}/draft-only`);
    expect(test.status).toBe(202);
    const run = await waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId: String(test.json.runId) });
    expect(run).toMatchObject({ status: "succeeded", isTest: true });
    expect(run.output?.body).toBe("draft");
  });

  it("refuses to publish a second flow on a path already in use", async () => {
    await publishedFlow({ ...ctx(), graph: graph([hook("unique-path")], []) });
    await expect(publishedFlow({ ...ctx(), graph: graph([hook("unique-path")], []) })).rejects.toThrow(/already used/);
  });

  it("refuses to publish a trigger guarded by a rule that is not this workspace's", async () => {
    const other = await seedWorkspace({ db: env.db });
    const foreign = await createSecurityRule({
      db: env.db,
      secretBox: createSecretBox({ currentKey: TEST_ENCRYPTION_KEY }),
      workspaceId: other.workspace.id,
      actor: other.owner.actor,
      name: "Theirs",
      domain: "default",
      type: "api_key",
      config: {},
    });
    await expect(
      publishedFlow({ ...ctx(), graph: graph([hook("guarded", { securityRuleIds: [foreign.ruleId] })], []) }),
    ).rejects.toMatchObject({
      details: {
        validation: [
          expect.objectContaining({
            code: "unresolved_reference",
            message: expect.stringContaining(
              `names the security rule "${foreign.ruleId}", which this workspace does not have`,
            ),
          }),
        ],
      },
    });
  });
});
