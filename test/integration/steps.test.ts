// Every step type, run by a real worker process against real Postgres and Redis (and a real HTTP server),
// with its error cases.
import { createHmac } from "node:crypto";
import { type Actor, getRun, setSecret, startRun, updateWorkspaceSettings } from "@tributary/core";
import { createSecretBox } from "@tributary/db";
import type { FlowGraph } from "@tributary/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedWorkspace } from "../factories/seed.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { type HttpTarget, json, startHttpTarget } from "../support/http-target.ts";
import { graph, publishedFlow, waitForRun } from "../support/run-helpers.ts";
import { startWorker, TEST_ENCRYPTION_KEY, type WorkerProcess } from "../support/worker-process.ts";

const env = useTestEnvironment();
let worker: WorkerProcess;
let target: HttpTarget;
let workspaceId = "";
let actor: Actor;

beforeAll(async () => {
  target = await startHttpTarget();
  worker = await startWorker({ databaseUrl: env.databaseUrl, redisPrefix: env.redisPrefix });
  const seeded = await seedWorkspace({ db: env.db });
  workspaceId = seeded.workspace.id;
  actor = seeded.owner.actor;
  await updateWorkspaceSettings({ db: env.db, workspaceId, actor, allowedHosts: ["127.0.0.1"] });
  await setSecret({
    db: env.db,
    secretBox: createSecretBox({ currentKey: TEST_ENCRYPTION_KEY }),
    workspaceId,
    actor,
    name: "API_TOKEN",
    value: "tok-secret-9876",
  });
});
afterAll(async () => {
  await worker?.stop();
  await target?.close();
});

async function runFlow(flowGraph: FlowGraph, body: unknown = {}) {
  const flowId = await publishedFlow({ db: env.db, workspaceId, actor, graph: flowGraph });
  const { runId } = await startRun({ db: env.db, queue: env.queue, workspaceId, flowId, trigger: "manual", body });
  return waitForRun({ db: env.db, workspaceId, runId });
}

const manual: [string, string] = ["start", "trigger.manual"];

describe("step types", () => {
  it("transform: reshapes the body with JSONata; a failing expression fails the step", async () => {
    const ok = await runFlow(
      graph([manual, ["t", "data.transform", { expression: "{ 'n': n * 2 }" }]], [["start", "t"]]),
      { n: 21 },
    );
    expect(ok.output?.body).toEqual({ n: 42 });
    const bad = await runFlow(
      graph([manual, ["t", "data.transform", { expression: "$number('abc')" }]], [["start", "t"]]),
    );
    expect(bad.status).toBe("failed");
    expect(bad.error?.message).toMatch(/expression/);
  });

  it("set headers: appends headers with {{ expressions }}", async () => {
    const run = await runFlow(
      graph(
        [manual, ["h", "data.set-headers", { headers: [{ name: "x-customer", value: "{{ customer }}" }] }]],
        [["start", "h"]],
      ),
      { customer: "ada" },
    );
    expect(run.output?.headers).toContainEqual(
      expect.objectContaining({ name: "x-customer", value: "ada", stepId: "h" }),
    );
  });

  it("branch and switch: route by condition, with a default case", async () => {
    const flow = graph(
      [
        manual,
        [
          "kind",
          "flow.switch",
          {
            cases: [
              { name: "big", condition: "amount > 100" },
              { name: "small", condition: "amount > 0" },
            ],
          },
        ],
        ["big", "data.transform", { expression: "'big'" }],
        ["small", "data.transform", { expression: "'small'" }],
        ["none", "data.transform", { expression: "'none'" }],
      ],
      [
        ["start", "kind"],
        ["kind", "big", "big"],
        ["kind", "small", "small"],
        ["kind", "none", "default"],
      ],
    );
    expect((await runFlow(flow, { amount: 500 })).output?.body).toBe("big");
    expect((await runFlow(flow, { amount: 5 })).output?.body).toBe("small");
    expect((await runFlow(flow, { amount: -1 })).output?.body).toBe("none");
    const branch = await runFlow(
      graph(
        [manual, ["b", "flow.branch", { condition: "ok" }], ["yes", "data.transform", { expression: "'yes'" }]],
        [
          ["start", "b"],
          ["b", "yes", "true"],
        ],
      ),
      { ok: false },
    );
    expect(branch.status).toBe("succeeded");
    expect(branch.steps.find((s) => s.stepId === "yes")?.status).toBe("skipped");
  });

  it("filter: a message that does not pass ends its path there", async () => {
    const flow = graph(
      [manual, ["f", "flow.filter", { condition: "paid" }], ["after", "data.transform", { expression: "'after'" }]],
      [
        ["start", "f"],
        ["f", "after"],
      ],
    );
    expect((await runFlow(flow, { paid: true })).output?.body).toBe("after");
    const dropped = await runFlow(flow, { paid: false });
    expect(dropped.status).toBe("succeeded");
    expect(dropped.steps.find((s) => s.stepId === "after")?.status).toBe("skipped");
  });

  it("loop: items through a sub-path with a concurrency setting, results collected in order", async () => {
    const run = await runFlow(
      graph(
        [
          manual,
          ["each", "flow.loop", { items: "orders", concurrency: 3 }],
          ["tax", "data.transform", { expression: "{ 'id': id, 'gross': net * 1.2 }" }],
          ["sum", "data.transform", { expression: "$sum($.gross)" }],
        ],
        [
          ["start", "each"],
          ["each", "tax", "item"],
          ["each", "sum", "done"],
        ],
      ),
      {
        orders: [
          { id: 1, net: 10 },
          { id: 2, net: 20 },
          { id: 3, net: 30 },
          { id: 4, net: 40 },
        ],
      },
    );
    expect(run.status).toBe("succeeded");
    expect(run.steps.find((s) => s.key === "each/done")?.output?.body).toEqual([
      { id: 1, gross: 12 },
      { id: 2, gross: 24 },
      { id: 3, gross: 36 },
      { id: 4, gross: 48 },
    ]);
    expect(run.output?.body).toBe(120);
  });

  it("merge: waits for both parallel paths", async () => {
    const run = await runFlow(
      graph(
        [
          manual,
          ["a", "data.transform", { expression: "'from a'" }],
          ["b", "data.transform", { expression: "'from b'" }],
          ["join", "flow.merge"],
        ],
        [
          ["start", "a"],
          ["start", "b"],
          ["a", "join"],
          ["b", "join"],
        ],
      ),
    );
    expect(run.output?.body).toEqual({ a: "from a", b: "from b" });
  });

  it("delay: a short wait stays in the worker; a long one parks the run and wakes it", async () => {
    const short = await runFlow(graph([manual, ["wait", "flow.delay", { seconds: 0.2 }]], [["start", "wait"]]));
    expect(short.status).toBe("succeeded");
    const flowId = await publishedFlow({
      db: env.db,
      workspaceId,
      actor,
      graph: graph(
        [manual, ["wait", "flow.delay", { seconds: 2 }], ["after", "data.transform", { expression: "'woke'" }]],
        [
          ["start", "wait"],
          ["wait", "after"],
        ],
      ),
    });
    const { runId } = await startRun({
      db: env.db,
      queue: env.queue,
      workspaceId,
      flowId,
      trigger: "manual",
      body: {},
    });
    const parked = await waitForRun({ db: env.db, workspaceId, runId, until: (run) => run.status === "waiting" });
    expect(parked.status).toBe("waiting");
    const woke = await waitForRun({ db: env.db, workspaceId, runId });
    expect(woke.output?.body).toBe("woke");
  });

  it("HTTP request: calls the API with secrets in config, passes the JSON response on, redacts the secret", async () => {
    target.route("/orders", (request, response) =>
      json(response, 200, { ok: true, auth: request.headers.authorization }),
    );
    const run = await runFlow(
      graph(
        [
          manual,
          [
            "call",
            "http.request",
            {
              method: "POST",
              url: `${target.url}/orders`,
              headers: [{ name: "Authorization", value: "Bearer {{ $secrets.API_TOKEN }}" }],
            },
          ],
        ],
        [["start", "call"]],
      ),
      { order: 7 },
    );
    expect(run.status).toBe("succeeded");
    const received = target.received.find((r) => r.path === "/orders");
    expect(received?.headers.authorization).toBe("Bearer tok-secret-9876");
    expect(JSON.parse(received?.body ?? "{}")).toEqual({ order: 7 });
    expect(received?.headers["idempotency-key"]).toBe(`${run.id}:call`);
    // The answer echoed the secret: what is stored is redacted.
    expect(run.output?.body).toEqual({ ok: true, auth: "Bearer [redacted]" });
    expect(JSON.stringify(await getRun({ db: env.db, workspaceId, runId: run.id }))).not.toContain("tok-secret-9876");
  });

  it("HTTP request: a 4xx fails at once; a 5xx is retried by the step's policy", async () => {
    target.route("/missing", (_req, response) => json(response, 404, { error: "nope" }));
    const notFound = await runFlow(
      graph([manual, ["call", "http.request", { url: `${target.url}/missing` }]], [["start", "call"]]),
    );
    expect(notFound.status).toBe("failed");
    expect(notFound.error?.message).toMatch(/answered 404/);
    let calls = 0;
    target.route("/flaky", (_req, response) =>
      ++calls < 3 ? json(response, 503, { busy: true }) : json(response, 200, { calls }),
    );
    const flowGraph = graph([manual, ["call", "http.request", { url: `${target.url}/flaky` }]], [["start", "call"]]);
    const step = flowGraph.steps[1];
    if (step) step.retry = { attempts: 4, initialDelayMs: 50, maxDelayMs: 200, multiplier: 2, retryOn: "transient" };
    const flaky = await runFlow(flowGraph);
    expect(flaky.status).toBe("succeeded");
    expect(flaky.output?.body).toEqual({ calls: 3 });
    expect(flaky.steps.find((s) => s.key === "call")?.attempt).toBe(3);
  });

  it("HTTP request: a private address outside the allowed hosts is refused", async () => {
    const run = await runFlow(
      graph([manual, ["call", "http.request", { url: "http://10.255.255.1/" }]], [["start", "call"]]),
    );
    expect(run.status).toBe("failed");
    expect(run.error?.message).toMatch(/private address/);
  });

  it("error output: a failing step's error path runs instead of failing the run", async () => {
    target.route("/down", (_req, response) => json(response, 500, { down: true }));
    const run = await runFlow(
      graph(
        [
          manual,
          ["call", "http.request", { url: `${target.url}/down` }],
          ["fallback", "data.transform", { expression: "{ 'handled': error.message }" }],
        ],
        [
          ["start", "call"],
          ["call", "fallback", "error"],
        ],
      ),
    );
    expect(run.status).toBe("succeeded");
    expect(run.output?.body).toMatchObject({ handled: expect.stringMatching(/answered 500/) });
  });

  it("respond: stores the answer for a waiting caller", async () => {
    const run = await runFlow(
      graph(
        [
          manual,
          [
            "reply",
            "http.respond",
            { status: 201, headers: [{ name: "X-Order", value: "{{ id }}" }], body: { created: "{{ id }}" } },
          ],
        ],
        [["start", "reply"]],
      ),
      { id: 12 },
    );
    const detail = await getRun({ db: env.db, workspaceId, runId: run.id });
    expect(detail.response).toEqual({ status: 201, headers: { "x-order": "12" }, body: { created: 12 } });
  });

  it("log: writes a line to the step log", async () => {
    const run = await runFlow(
      graph(
        [manual, ["note", "util.log", { level: "warn", message: "order {{ id }} looks odd" }]],
        [["start", "note"]],
      ),
      { id: 3 },
    );
    expect(run.steps.find((s) => s.key === "note")?.logs).toContainEqual(
      expect.objectContaining({ level: "warn", message: "order 3 looks odd" }),
    );
  });

  it("call a flow: runs another flow and continues with its result; its failure fails the call", async () => {
    const child = await publishedFlow({
      db: env.db,
      workspaceId,
      actor,
      name: "Child",
      graph: graph(
        [
          ["called", "trigger.subflow"],
          ["double", "data.transform", { expression: "n * 2" }],
        ],
        [["called", "double"]],
      ),
    });
    const run = await runFlow(
      graph(
        [manual, ["call", "flow.call", { flowId: child }], ["after", "data.transform", { expression: "$ + 1" }]],
        [
          ["start", "call"],
          ["call", "after"],
        ],
      ),
      { n: 20 },
    );
    expect(run.status).toBe("succeeded");
    expect(run.output?.body).toBe(41);
    const failing = await publishedFlow({
      db: env.db,
      workspaceId,
      actor,
      name: "Failing child",
      graph: graph(
        [
          ["called", "trigger.subflow"],
          ["boom", "data.transform", { expression: "$error('bad input')" }],
        ],
        [["called", "boom"]],
      ),
    });
    const failed = await runFlow(graph([manual, ["call", "flow.call", { flowId: failing }]], [["start", "call"]]));
    expect(failed.status).toBe("failed");
    expect(failed.error?.message).toMatch(/called flow failed/);
  });
});

describe("connections", () => {
  it("an HTTP connection adds its base URL and credentials; its test pings it; its secrets stay sealed and redacted", async () => {
    const { saveConnection, testConnection, listConnections } = await import("@tributary/core");
    const secretBox = createSecretBox({ currentKey: TEST_ENCRYPTION_KEY });
    target.route("/api/health", (request, response) =>
      request.headers.authorization === "Bearer conn-token-5555"
        ? json(response, 200, { up: true })
        : json(response, 401, {}),
    );
    target.route("/api/items", (request, response) => json(response, 200, { auth: request.headers.authorization }));
    const { id } = await saveConnection({
      db: env.db,
      secretBox,
      workspaceId,
      actor,
      name: "Inventory API",
      type: "http",
      config: { baseUrl: `${target.url}/api`, auth: "bearer", token: "conn-token-5555", healthPath: "health" },
    });
    expect(await testConnection({ db: env.db, secretBox, workspaceId, connectionId: id })).toMatchObject({ ok: true });
    const [listed] = await listConnections({ db: env.db, workspaceId });
    expect(listed).toMatchObject({
      name: "Inventory API",
      lastCheckOk: true,
      secretFieldsSet: ["token", "password", "headerValue"],
    });
    expect(JSON.stringify(listed)).not.toContain("conn-token-5555");

    const run = await runFlow(
      graph([manual, ["get", "http.request", { connectionId: id, url: "/items" }]], [["start", "get"]]),
    );
    expect(run.status).toBe("succeeded");
    expect(run.output?.body).toEqual({ auth: "Bearer [redacted]" });
    expect(target.received.find((r) => r.path === "/api/items")?.headers.authorization).toBe("Bearer conn-token-5555");

    await saveConnection({
      db: env.db,
      secretBox,
      workspaceId,
      actor,
      connectionId: id,
      name: "Inventory API",
      type: "http",
      config: { baseUrl: `${target.url}/api`, auth: "bearer", healthPath: "health" },
    });
    expect(await testConnection({ db: env.db, secretBox, workspaceId, connectionId: id })).toMatchObject({ ok: true });
    await saveConnection({
      db: env.db,
      secretBox,
      workspaceId,
      actor,
      connectionId: id,
      name: "Inventory API",
      type: "http",
      config: { baseUrl: `${target.url}/api`, auth: "bearer", token: "wrong", healthPath: "health" },
    });
    expect(await testConnection({ db: env.db, secretBox, workspaceId, connectionId: id })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/refused the credentials \(401\)/),
    });
  });
});

describe("formats", () => {
  it("formats: XML in a field is parsed, a template fills an email from it, and an HMAC signs it with a secret", async () => {
    const result = await runFlow(
      graph(
        [
          manual,
          ["xml", "format.xml", { input: "{{ payload }}", resultField: "order" }],
          [
            "mail",
            "format.template",
            {
              template: "Dear {{ order.order.customer }},\norder {{ order.order.`@id` }} has shipped.",
              resultField: "email",
            },
          ],
          ["sign", "format.hash", { input: "{{ email }}", key: "{{ $secrets.API_TOKEN }}", resultField: "signature" }],
        ],
        [
          ["start", "xml"],
          ["xml", "mail"],
          ["mail", "sign"],
        ],
      ),
      { payload: '<order id="A-7"><customer>Ada</customer></order>' },
    );
    expect(result.status).toBe("succeeded");
    const body = result.output?.body as { email: string; signature: string };
    expect(body.email).toBe("Dear Ada,\norder A-7 has shipped.");
    expect(body.signature).toBe(createHmac("sha256", "tok-secret-9876").update(body.email).digest("hex"));

    const bad = await runFlow(graph([manual, ["xml", "format.xml", {}]], [["start", "xml"]]), "<open>");
    expect(bad.status).toBe("failed");
    expect(bad.error?.message).toMatch(/not valid XML/);
  });
});
