// A demo workspace's flows reach the sample API and nothing else — not other ports of the same machine (Redis),
// not other paths of the sample API's origin (another workspace's webhook), not through a redirect, not over a
// socket other than HTTP — each refused with the outbound guard's message, with a real worker. Nor may it take
// a listener port.
import { type DemoVisitor, startDemo } from "@tributary/core";
import { scoped } from "@tributary/db";
import type { FlowGraph } from "@tributary/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedWorkspace } from "../factories/seed.ts";
import { callerFor } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { type HttpTarget, json, startHttpTarget } from "../support/http-target.ts";
import { graph, publishedFlow, waitForRun } from "../support/run-helpers.ts";
import { webhookHarness } from "../support/webhook-harness.ts";
import { startWorker, type WorkerProcess } from "../support/worker-process.ts";

const env = useTestEnvironment();
let sampleApi: HttpTarget;
let otherServer: HttpTarget;
let worker: WorkerProcess;
let hooks: ReturnType<typeof webhookHarness>;
let visitor: DemoVisitor;
let victim: { slug: string; workspaceId: string };

const REFUSED =
  /Outbound calls to .* are refused: this workspace's plan may call only http:\/\/127\.0\.0\.1:\d+\/api\/demo/;

beforeAll(async () => {
  // The sample API, on the same origin as the app's webhooks, as in production (APP_URL/api/demo).
  sampleApi = await startHttpTarget();
  otherServer = await startHttpTarget();
  otherServer.route("/", (_request, response) => json(response, 200, { reached: "another local server" }));
  sampleApi.route("/api/demo/orders", (_request, response) => json(response, 200, { orders: [] }));
  sampleApi.route("/api/demo/moved", (_request, response) =>
    response.writeHead(302, { location: "/api/demo/orders" }).end(),
  );
  sampleApi.route("/api/demo/to-redis", (_request, response) =>
    response.writeHead(302, { location: "http://127.0.0.1:6379/" }).end(),
  );
  sampleApi.route("/api/demo/to-other-path", (_request, response) =>
    response.writeHead(307, { location: "/internal/metrics" }).end(),
  );
  sampleApi.route("/api/demo/to-other-server", (_request, response) =>
    response.writeHead(302, { location: `${otherServer.url}/` }).end(),
  );
  sampleApi.route("/internal/metrics", (_request, response) => json(response, 200, { secret: true }));
  worker = await startWorker({
    databaseUrl: env.databaseUrl,
    redisPrefix: env.redisPrefix,
    env: { DEMO_API_URL: `${sampleApi.url}/api/demo` },
  });
  hooks = webhookHarness(env);

  // Another (ordinary) workspace with a webhook, served on the sample API's origin.
  const other = await seedWorkspace({ db: env.db });
  await publishedFlow({
    db: env.db,
    workspaceId: other.workspace.id,
    actor: other.owner.actor,
    graph: graph(
      [
        ["hook", "trigger.webhook", { path: "orders", methods: ["POST"] }],
        ["t", "data.transform", { expression: "$" }],
      ],
      [["hook", "t"]],
    ),
  });
  victim = { slug: other.workspace.slug, workspaceId: other.workspace.id };
  sampleApi.route(`/hooks/${victim.slug}/orders`, async (request, response) => {
    const answer = await hooks.call(`/hooks/${victim.slug}/orders`, {
      headers: { "content-type": "application/json" },
      body: request.body || "{}",
    });
    json(response, answer.status, answer.json);
  });

  visitor = await startDemo({
    db: env.db,
    redis: env.redis,
    queue: env.queue,
    ip: "198.51.100.200",
    demoApiUrl: `${sampleApi.url}/api/demo`,
  });
}, 60_000);
afterAll(async () => {
  await hooks?.close();
  await worker?.stop();
  await sampleApi?.close();
  await otherServer?.close();
});

const asVisitor = () =>
  callerFor({
    env,
    user: {
      id: visitor.user.id,
      email: visitor.user.email,
      actor: { userId: visitor.user.id, email: visitor.user.email, ip: "127.0.0.1" },
    },
  });

async function runInDemo(flowGraph: FlowGraph) {
  const caller = asVisitor();
  const workspaceId = visitor.workspace.id;
  const flow = await caller.flows.create({ workspaceId, name: `Egress ${Math.random()}`, graph: flowGraph });
  await caller.flows.publish({ workspaceId, flowId: flow.id });
  const { runId } = await caller.runs.start({ workspaceId, flowId: flow.id, body: { order: 1 } });
  return waitForRun({ db: env.db, workspaceId, runId, timeoutMs: 30_000 });
}

const httpCall = (url: string, method = "GET") =>
  runInDemo(
    graph(
      [
        ["start", "trigger.manual"],
        ["call", "http.request", { method, url }],
      ],
      [["start", "call"]],
    ),
  );

describe("demo egress", () => {
  it("reaches the sample API, also through a redirect that stays under it", async () => {
    expect((await httpCall(`${sampleApi.url}/api/demo/orders`)).status).toBe("succeeded");
    const moved = await httpCall(`${sampleApi.url}/api/demo/moved`);
    expect(moved.status).toBe("succeeded");
  });

  it("refuses other ports of the same machine: Redis and other local servers", async () => {
    for (const url of [
      "http://127.0.0.1:6379/",
      "http://localhost:6379/",
      `${otherServer.url}/`,
      `${otherServer.url.replace("127.0.0.1", "localhost")}/api/demo/orders`,
      `${sampleApi.url.replace("http:", "https:")}/api/demo/orders`,
    ]) {
      const run = await httpCall(url);
      expect(run.status, url).toBe("failed");
      expect(run.error?.message, url).toMatch(REFUSED);
    }
    expect(otherServer.received).toHaveLength(0);
  });

  it("refuses other paths of the sample API's origin, however they are spelled", async () => {
    const before = sampleApi.received.length;
    for (const path of [
      "/internal/metrics",
      "/api/demox",
      "/api/demo/../../internal/metrics",
      "/api/demo/..%2F..%2Finternal/metrics",
      "/api/demo/%2e%2e/%2e%2e/internal/metrics",
      "/api/demo\\..\\..\\internal/metrics",
    ]) {
      const run = await httpCall(`${sampleApi.url}${path}`);
      expect(run.status, path).toBe("failed");
      expect(run.error?.message, path).toMatch(REFUSED);
    }
    expect(sampleApi.received.slice(before)).toHaveLength(0);
  });

  it("refuses a redirect that leaves the sample API, before following it", async () => {
    for (const path of ["/api/demo/to-redis", "/api/demo/to-other-path", "/api/demo/to-other-server"]) {
      const run = await httpCall(`${sampleApi.url}${path}`);
      expect(run.status, path).toBe("failed");
      expect(run.error?.message, path).toMatch(REFUSED);
    }
    expect(sampleApi.received.map((request) => request.path)).not.toContain("/internal/metrics");
    expect(otherServer.received).toHaveLength(0);
  });

  it("cannot call another workspace's webhook on the app's own origin", async () => {
    const run = await httpCall(`${sampleApi.url}/hooks/${victim.slug}/orders`, "POST");
    expect(run.status).toBe("failed");
    expect(run.error?.message).toMatch(REFUSED);
    const victimRuns = await scoped(env.db, { workspaceId: victim.workspaceId }, (tx) =>
      tx.run.count({ where: { workspaceId: victim.workspaceId } }),
    );
    expect(victimRuns).toBe(0);
  });

  it("cannot take one of the installation's listener ports", async () => {
    const caller = asVisitor();
    const workspaceId = visitor.workspace.id;
    const flow = await caller.flows.create({
      workspaceId,
      name: "Listen",
      graph: graph(
        [
          ["in", "hl7.mllp-listener", {}],
          ["t", "data.transform", { expression: "$" }],
        ],
        [["in", "t"]],
      ),
    });
    const published = caller.flows.publish({ workspaceId, flowId: flow.id });
    await expect(published).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const problems = await caller.flows.validate({
      workspaceId,
      graph: graph([["in", "hl7.mllp-listener", {}]], []),
    });
    expect(problems).toContainEqual(
      expect.objectContaining({
        stepId: "in",
        message: expect.stringMatching(/demo workspaces cannot open listener ports/),
      }),
    );
  });

  it("opens no other socket: a Redis connection to the machine's Redis is refused", async () => {
    const caller = asVisitor();
    const workspaceId = visitor.workspace.id;
    const { id: connectionId } = await caller.connections.save({
      workspaceId,
      name: "Local Redis",
      type: "redis",
      config: { host: "127.0.0.1", port: 6379 },
    });
    const tested = await caller.connections.test({ workspaceId, connectionId });
    expect(tested.ok).toBe(false);
    expect(tested.message).toMatch(/Outbound calls to 127\.0\.0\.1 are refused/);
    const run = await runInDemo(
      graph(
        [
          ["start", "trigger.manual"],
          ["get", "redis.get", { connectionId, key: "bull:anything" }],
        ],
        [["start", "get"]],
      ),
    );
    expect(run.status).toBe("failed");
    expect(run.error?.message).toMatch(/Outbound calls to 127\.0\.0\.1 are refused/);
  });
});
