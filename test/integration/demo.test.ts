// The demo sandbox with real Postgres, Redis and a worker: visitors isolated from each other, sample flows
// that run, the demo plan's limits with clear messages, outbound calls only to the sample API, conversion
// into an account that keeps everything, and cleanup that leaves nothing behind.
import { randomUUID } from "node:crypto";
import { type DemoVisitor, deleteIdleDemos, keepDemo, startDemo } from "@tributary/core";
import { scoped } from "@tributary/db";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedWorkspace } from "../factories/seed.ts";
import { callerFor, outcome } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { type HttpTarget, startHttpTarget } from "../support/http-target.ts";
import { waitForRun } from "../support/run-helpers.ts";
import { TEST_REDIS_URL } from "../support/services.ts";
import { webhookHarness } from "../support/webhook-harness.ts";
import { startWorker, type WorkerProcess } from "../support/worker-process.ts";

const env = useTestEnvironment();
let target: HttpTarget;
let worker: WorkerProcess;
let hooks: ReturnType<typeof webhookHarness>;
let demoApiUrl = "";
let ipCounter = 0;

beforeAll(async () => {
  // The sample API, as the web app serves it.
  target = await startHttpTarget();
  target.route("/api/demo/orders", (_request, response) =>
    response
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ orders: [{ id: "A-1", status: "late" }] })),
  );
  target.route("/api/demo/unavailable", (_request, response) => response.writeHead(503).end("down on purpose"));
  demoApiUrl = `${target.url}/api/demo`;
  worker = await startWorker({
    databaseUrl: env.databaseUrl,
    redisPrefix: env.redisPrefix,
    env: { DEMO_API_URL: demoApiUrl },
  });
  hooks = webhookHarness(env);
}, 60_000);
afterAll(async () => {
  await hooks?.close();
  await worker?.stop();
  await target?.close();
});

const start = (ip = `198.51.100.${++ipCounter}`) =>
  startDemo({ db: env.db, redis: env.redis, queue: env.queue, ip, demoApiUrl });

const asVisitor = (visitor: DemoVisitor) =>
  callerFor({
    env,
    user: {
      id: visitor.user.id,
      email: visitor.user.email,
      actor: { userId: visitor.user.id, email: visitor.user.email, ip: "127.0.0.1" },
    },
  });

async function runsOf(workspaceId: string) {
  return scoped(env.db, { workspaceId }, (tx) =>
    tx.run.findMany({ where: { workspaceId }, select: { id: true, flowId: true, status: true } }),
  );
}

describe("demo sandbox", () => {
  it("gives each visitor a workspace of their own, with sample flows whose first runs run", async () => {
    const a = await start();
    const b = await start();
    expect(a.workspace.id).not.toBe(b.workspace.id);
    const { flows } = await asVisitor(a).flows.list({ workspaceId: a.workspace.id });
    expect(flows.map((flow) => flow.name).sort()).toEqual([
      "Hourly check of late orders",
      "Loop with a code step",
      "Quote over a webhook",
      "Retry, then an error path",
    ]);
    expect(flows.every((flow) => flow.currentVersion === 1 && flow.status === "active")).toBe(true);
    // One visitor never sees another's work.
    expect(await outcome(asVisitor(a).flows.list({ workspaceId: b.workspace.id }))).toBe("NOT_FOUND");

    const runs = await runsOf(a.workspace.id);
    expect(runs).toHaveLength(4);
    // The run log lists newest first: the sample runs were started in the order of the flows.
    const listed = await asVisitor(a).runs.list({ workspaceId: a.workspace.id, limit: 10 });
    expect(listed.runs.map((run) => run.flowName)).toEqual([
      "Retry, then an error path",
      "Loop with a code step",
      "Hourly check of late orders",
      "Quote over a webhook",
    ]);
    const ended = await Promise.all(
      runs.map((run) => waitForRun({ db: env.db, workspaceId: a.workspace.id, runId: run.id, timeoutMs: 30_000 })),
    );
    const byFlow = new Map(flows.map((flow) => [flow.id, flow.name]));
    const outcomes = new Map(ended.map((run) => [byFlow.get(run.flowId) ?? run.flowId, run]));
    expect(outcomes.get("Quote over a webhook")?.output?.body).toMatchObject({ total: 13.5 });
    expect(outcomes.get("Loop with a code step")?.output?.body).toEqual({ total: 16 });
    const check = outcomes.get("Hourly check of late orders");
    expect(check?.status).toBe("succeeded");
    expect(check?.steps.map((step) => step.stepId)).toContain("alert");
    // The failing API is retried, then the error path takes over.
    const retried = outcomes.get("Retry, then an error path");
    expect(retried?.status).toBe("succeeded");
    expect(retried?.steps.find((step) => step.stepId === "call")?.attempt).toBe(3);
    expect(retried?.steps.map((step) => step.stepId)).toContain("fallback");
  }, 60_000);

  it("lets demo flows call only the sample API", async () => {
    const visitor = await start();
    const caller = asVisitor(visitor);
    const elsewhere = target.url.replace("127.0.0.1", "localhost");
    const flow = await caller.flows.create({
      workspaceId: visitor.workspace.id,
      name: "Reach out",
      graph: {
        version: 1,
        steps: [
          { id: "start", type: "trigger.manual" },
          { id: "call", type: "http.request", config: { url: `${elsewhere}/api/demo/orders` } },
        ],
        edges: [{ from: "start", to: "call", output: "out" }],
      },
    });
    await caller.flows.publish({ workspaceId: visitor.workspace.id, flowId: flow.id });
    const { runId } = await caller.runs.start({ workspaceId: visitor.workspace.id, flowId: flow.id, body: {} });
    const run = await waitForRun({ db: env.db, workspaceId: visitor.workspace.id, runId, timeoutMs: 30_000 });
    expect(run.status).toBe("failed");
    expect(run.error?.message).toMatch(/localhost/);
  });

  it("holds the demo plan's limits, each with a clear message", async () => {
    const visitor = await start();
    const slug = visitor.workspace.slug;
    const big = await hooks.call(`/hooks/${slug}/quote`, {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ item: "x".repeat(70 * 1024), qty: 1 }),
    });
    expect(big.status).toBe(413);
    expect(big.json.error?.message).toMatch(/65536|64 KiB|plan/i);

    const minute = Math.floor(Date.now() / 60_000);
    await env.redis.set(`ingress:rate:${visitor.workspace.id}:${minute}`, "30", "EX", 120);
    const limited = await hooks.call(`/hooks/${slug}/quote`, {
      headers: { "content-type": "application/json" },
      body: '{"item":"tea","qty":1}',
    });
    expect(limited.status).toBe(429);
    expect(limited.json.error?.message).toMatch(/30/);

    // Code steps get the demo plan's small CPU allowance.
    const caller = asVisitor(visitor);
    const spinning = await caller.flows.create({
      workspaceId: visitor.workspace.id,
      name: "Spin",
      graph: {
        version: 1,
        steps: [
          { id: "start", type: "trigger.manual" },
          { id: "spin", type: "code.typescript", config: { source: "export default () => { for (;;) {} };" } },
        ],
        edges: [{ from: "start", to: "spin", output: "out" }],
      },
    });
    await caller.flows.publish({ workspaceId: visitor.workspace.id, flowId: spinning.id });
    const { runId } = await caller.runs.start({ workspaceId: visitor.workspace.id, flowId: spinning.id, body: {} });
    const spun = await waitForRun({ db: env.db, workspaceId: visitor.workspace.id, runId, timeoutMs: 30_000 });
    expect(spun.status).toBe("failed");
    expect(spun.error?.message).toMatch(/200 ms|CPU/i);

    // Starting demos is limited per network.
    const ip = "203.0.113.77";
    for (let i = 0; i < 10; i++) await env.redis.incr(`demo:starts:${ip}`);
    await expect(start(ip)).rejects.toThrow(/demos in the last hour/);
  });

  it("refuses a demo session other workspaces (creating, joining) and invitations until it signs up", async () => {
    const visitor = await start();
    const caller = asVisitor(visitor);
    const created = caller.workspaces.create({ name: "Escape hatch" });
    await expect(created).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(created).rejects.toThrow(/A demo session cannot create workspaces\. Sign up/);
    await expect(
      caller.members.invite({ workspaceId: visitor.workspace.id, email: "friend@example.com", role: "editor" }),
    ).rejects.toThrow(/A demo session cannot invite people/);

    // An ordinary workspace invites the visitor's address: the demo session still cannot join it.
    const other = await seedWorkspace({ db: env.db });
    const invite = await callerFor({ env, user: other.owner }).members.invite({
      workspaceId: other.workspace.id,
      email: visitor.user.email,
      role: "editor",
    });
    if (!invite.link) throw new Error("an invite without a mailer returns its link");
    const token = invite.link.slice("http://localhost:3000/invite/".length);
    await expect(caller.invites.accept({ token })).rejects.toThrow(/A demo session cannot join other workspaces/);
    expect((await caller.workspaces.list()).map((workspace) => workspace.id)).toEqual([visitor.workspace.id]);

    // Signed up, the same person may.
    const email = `signed-${visitor.user.id.slice(0, 8)}@example.com`;
    await keepDemo({ db: env.db, userId: visitor.user.id, email, password: "copper meadow lantern violet" });
    const member = callerFor({
      env,
      user: { id: visitor.user.id, email, actor: { userId: visitor.user.id, email, ip: "127.0.0.1" } },
    });
    await expect(member.workspaces.create({ name: "Kept and growing" })).resolves.toMatchObject({
      name: "Kept and growing",
    });
  });

  it("deletes, with an idle demo, every workspace its visitor owned alone, and visitors left without one", async () => {
    const visitor = await start();
    // A workspace made from the demo session before sign-up was required, with a webhook route and a key.
    const escapedId = randomUUID();
    await scoped(env.db, { workspaceId: escapedId, userId: visitor.user.id }, async (tx) => {
      await tx.workspace.create({ data: { id: escapedId, slug: `escaped-${escapedId.slice(0, 8)}`, name: "Escaped" } });
      await tx.membership.create({ data: { workspaceId: escapedId, userId: visitor.user.id, role: "owner" } });
    });
    // Another visitor whose demo workspace was deleted by hand: nothing left to sign in to.
    const stray = await start();
    await asVisitor(stray).workspaces.delete({ workspaceId: stray.workspace.id, confirmSlug: stray.workspace.slug });
    await env.db.user.update({
      where: { id: stray.user.id },
      data: { createdAt: new Date(Date.now() - 25 * 3600_000) },
    });

    const admin = new pg.Client({ connectionString: env.databaseUrl });
    await admin.connect();
    const raw = new Redis(TEST_REDIS_URL);
    try {
      // Some Redis state of the escaped workspace (its webhooks' rate counter).
      await raw.set(`${env.redisPrefix}ingress:rate:${escapedId}:1`, "5");
      await admin.query("UPDATE workspaces SET last_active_at = now() - interval '25 hours' WHERE id = $1", [
        visitor.workspace.id,
      ]);
      await deleteIdleDemos({ db: env.db, queue: env.queue, redis: raw, redisPrefix: env.redisPrefix });
      const left = await admin.query("SELECT id FROM workspaces WHERE id = ANY($1::uuid[])", [
        [visitor.workspace.id, escapedId],
      ]);
      expect(left.rows).toEqual([]);
      const users = await admin.query("SELECT id FROM users WHERE id = ANY($1::uuid[])", [
        [visitor.user.id, stray.user.id],
      ]);
      expect(users.rows).toEqual([]);
      expect(await raw.keys(`${env.redisPrefix}*${escapedId}*`)).toEqual([]);
    } finally {
      raw.disconnect();
      await admin.end();
    }
  });

  it("keeps the workspace, flows and runs when the visitor signs up", async () => {
    const visitor = await start();
    const before = await runsOf(visitor.workspace.id);
    await keepDemo({
      db: env.db,
      userId: visitor.user.id,
      email: `kept-${visitor.user.id.slice(0, 8)}@example.com`,
      password: "copper meadow lantern violet",
    });
    const user = await env.db.user.findUniqueOrThrow({ where: { id: visitor.user.id } });
    expect(user.isDemo).toBe(false);
    expect(user.email).toMatch(/^kept-/);
    const workspace = await scoped(env.db, { workspaceId: visitor.workspace.id }, (tx) =>
      tx.workspace.findUniqueOrThrow({ where: { id: visitor.workspace.id } }),
    );
    expect(workspace).toMatchObject({ isDemo: false, planId: "free" });
    expect((await asVisitor(visitor).flows.list({ workspaceId: visitor.workspace.id })).flows).toHaveLength(4);
    expect((await runsOf(visitor.workspace.id)).length).toBeGreaterThanOrEqual(before.length);
    await expect(
      keepDemo({
        db: env.db,
        userId: visitor.user.id,
        email: "again@example.com",
        password: "copper meadow lantern violet",
      }),
    ).rejects.toThrow(/not a demo/);
  });

  it("deletes idle demos with everything they own, rows and Redis keys, and leaves active ones alone", async () => {
    const idle = await start();
    const active = await start();
    // Some Redis state of the idle demo: a rate counter and a failed security check count.
    await hooks.call(`/hooks/${idle.workspace.slug}/quote`, {
      body: '{"item":"a","qty":1}',
      headers: { "content-type": "application/json" },
    });
    const admin = new pg.Client({ connectionString: env.databaseUrl });
    await admin.connect();
    const raw = new Redis(TEST_REDIS_URL);
    try {
      const rowsOf = async (workspaceId: string) => {
        const tables = await admin.query<{ table_name: string }>(
          "SELECT table_name FROM information_schema.columns WHERE column_name = 'workspace_id' AND table_schema = 'public'",
        );
        let total = 0;
        for (const { table_name } of tables.rows) {
          const counted = await admin.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM "${table_name}" WHERE workspace_id = $1`,
            [workspaceId],
          );
          total += counted.rows[0]?.n ?? 0;
        }
        return total + ((await admin.query("SELECT 1 FROM workspaces WHERE id = $1", [workspaceId])).rowCount ?? 0);
      };
      const keysOf = async (workspaceId: string) => (await raw.keys(`${env.redisPrefix}*${workspaceId}*`)).length;
      expect(await rowsOf(idle.workspace.id)).toBeGreaterThan(10);
      expect(await keysOf(idle.workspace.id)).toBeGreaterThan(0);
      const activeRows = await rowsOf(active.workspace.id);

      // The hourly sample flow's job scheduler, as the worker made it on publishing.
      const idleFlows = (await asVisitor(idle).flows.list({ workspaceId: idle.workspace.id })).flows.map(
        (flow) => flow.id,
      );
      const schedulersOf = async () =>
        (await env.queue.queue("schedules").getJobSchedulers(0, -1)).filter((scheduler) =>
          idleFlows.some((flowId) => scheduler.key.startsWith(flowId)),
        );
      for (let attempt = 0; attempt < 50 && !(await schedulersOf()).length; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await schedulersOf()).toHaveLength(1);

      await admin.query("UPDATE workspaces SET last_active_at = now() - interval '25 hours' WHERE id = $1", [
        idle.workspace.id,
      ]);
      const deleted = await deleteIdleDemos({ db: env.db, queue: env.queue, redis: raw, redisPrefix: env.redisPrefix });
      expect(deleted).toBe(1);
      expect(await schedulersOf()).toHaveLength(0);

      expect(await rowsOf(idle.workspace.id)).toBe(0);
      expect(await keysOf(idle.workspace.id)).toBe(0);
      expect(await env.db.user.findUnique({ where: { id: idle.user.id } })).toBeNull();
      expect(await rowsOf(active.workspace.id)).toBeGreaterThanOrEqual(activeRows);
      expect(await env.db.user.findUnique({ where: { id: active.user.id } })).not.toBeNull();
    } finally {
      raw.disconnect();
      await admin.end();
    }
  });
});
