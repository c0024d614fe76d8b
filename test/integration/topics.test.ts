import { listTopics, publishToTopic, setFlowStatus, startRun } from "@tributary/core";
import { scoped } from "@tributary/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { callerFor, restHandlerFor } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph, publishedFlow, waitForRun } from "../support/run-helpers.ts";
import { startWorker, subscriptionLogged, type WorkerProcess } from "../support/worker-process.ts";

const env = useTestEnvironment();
let seeded: SeededWorkspace;
let worker: WorkerProcess;
const WORKER_ENV = { SUBSCRIPTION_SYNC_MS: "300" };

beforeAll(async () => {
  seeded = await seedWorkspace({ db: env.db });
  worker = await startWorker({ databaseUrl: env.databaseUrl, redisPrefix: env.redisPrefix, env: WORKER_ENV });
});
afterAll(async () => {
  await worker?.stop("SIGKILL");
});

const workspaceId = () => seeded.workspace.id;
const flow = (name: string, steps: Parameters<typeof graph>[0]) =>
  publishedFlow({
    db: env.db,
    workspaceId: workspaceId(),
    actor: seeded.owner.actor,
    name,
    graph: graph(
      steps,
      steps.slice(1).map((step, i) => [steps[i]?.[0] as string, step[0]]),
    ),
  });
const publisher = (topic: string) =>
  flow(`Publish ${topic}`, [
    ["in", "trigger.manual"],
    ["publish", "topic.publish", { topic }],
  ]);
const subscriber = (topic: string, name = `Subscribe ${topic}`) =>
  flow(name, [
    ["in", "trigger.topic", { topic }],
    ["pass", "flow.delay", { seconds: 0 }],
  ]);
const publish = async (flowId: string, body: unknown) => {
  const { runId } = await startRun({
    db: env.db,
    queue: env.queue,
    workspaceId: workspaceId(),
    flowId,
    trigger: "manual",
    body,
  });
  return runId;
};
/** The bodies of a flow's runs, oldest first, once there are `count` of them (and still `count` a moment later). */
async function runsOf(flowId: string, count: number, timeoutMs = 30_000) {
  const read = () =>
    scoped(env.db, { workspaceId: workspaceId() }, (tx) =>
      tx.run.findMany({ where: { flowId }, orderBy: { id: "asc" }, select: { input: true, status: true } }),
    );
  const deadline = Date.now() + timeoutMs;
  let rows = await read();
  while (rows.length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    rows = await read();
  }
  return rows.map((row) => row.input as { body: unknown; headers: { name: string; value: string }[] });
}
const messageIdOf = (input: { headers: { name: string; value: string }[] }) =>
  input.headers.find((header) => header.name === "x-topic-message-id")?.value;
const topicNamed = async (name: string) =>
  (await listTopics({ db: env.db, workspaceId: workspaceId() })).find((topic) => topic.name === name);

describe("topics", () => {
  it("gives each subscriber every message published after it subscribed, once, with its keys in order", async () => {
    const from = await publisher("orders.created");
    const early = await publish(from, { n: 0 });
    await waitForRun({ db: env.db, workspaceId: workspaceId(), runId: early });
    const first = await subscriber("orders.created", "Billing");
    const second = await subscriber("orders.created", "Shipping");
    const body = { zone: "EU", id: "A-1", amount: 12 };
    const runId = await publish(from, body);
    const run = await waitForRun({ db: env.db, workspaceId: workspaceId(), runId });
    expect(run.status).toBe("succeeded");
    for (const flowId of [first, second]) {
      const inputs = await runsOf(flowId, 1);
      expect(inputs).toHaveLength(1);
      expect(inputs[0]?.body).toEqual(body);
      expect(Object.keys(inputs[0]?.body as object)).toEqual(["zone", "id", "amount"]);
      expect(inputs[0]?.headers).toContainEqual({ name: "x-topic", value: "orders.created" });
    }
    // Delivered: nothing waits.
    const topic = await topicNamed("orders.created");
    expect(topic?.depth).toBe(0);
    expect(topic?.subscribers.map((s) => s.flowName).sort()).toEqual(["Billing", "Shipping"]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await runsOf(first, 1, 0)).toHaveLength(1);
  });

  it("keeps messages for a paused subscriber, shows them on the topics page (tRPC and REST), and delivers them on resume", async () => {
    const from = await publisher("invoices");
    const to = await subscriber("invoices");
    await setFlowStatus({
      db: env.db,
      workspaceId: workspaceId(),
      actor: seeded.owner.actor,
      flowId: to,
      status: "paused",
    });
    for (const n of [1, 2, 3])
      await waitForRun({ db: env.db, workspaceId: workspaceId(), runId: await publish(from, { n }) });
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await runsOf(to, 0, 0)).toHaveLength(0);

    const page = await callerFor({ env, user: seeded.owner }).topics.list({ workspaceId: workspaceId() });
    const invoices = page.find((topic) => topic.name === "invoices");
    expect(invoices?.depth).toBe(3);
    expect(invoices?.oldestAt).toBeInstanceOf(Date);
    expect(invoices?.subscribers).toEqual([expect.objectContaining({ flowId: to, depth: 3, lastError: null })]);
    const rest = restHandlerFor({ env, clientIp: () => "192.0.2.1" });
    const { key } = await callerFor({ env, user: seeded.owner }).apiKeys.create({
      workspaceId: workspaceId(),
      name: "topics",
      role: "editor",
    });
    const call = (method: string, path: string, body?: unknown) =>
      rest(
        new Request(`http://localhost/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      );
    const listed = (await (await call("GET", "/topics")).json()) as {
      topics: { id: string; name: string; depth: number; subscribers: { depth: number }[] }[];
    };
    const viaRest = listed.topics.find((topic) => topic.name === "invoices");
    expect(viaRest).toMatchObject({ depth: 3, subscribers: [{ depth: 3 }] });
    expect((await call("PUT", `/topics/${viaRest?.id}`, { maxDepth: 50, maxAgeSeconds: 3600 })).status).toBe(200);
    expect(await topicNamed("invoices")).toMatchObject({ maxDepth: 50, maxAgeSeconds: 3600 });

    await setFlowStatus({
      db: env.db,
      workspaceId: workspaceId(),
      actor: seeded.owner.actor,
      flowId: to,
      status: "active",
    });
    const inputs = await runsOf(to, 3);
    expect(inputs.map((input) => input.body)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const deadline = Date.now() + 10_000;
    while (((await topicNamed("invoices"))?.depth ?? 0) > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await topicNamed("invoices"))?.depth).toBe(0);
  });

  it("holds publishers back at the topic's depth, and drops for a subscriber what waited past the topic's age", async () => {
    const to = await subscriber("alerts");
    // Paused once the worker consumes for it, and published to once it has stopped: a worker that had yet to
    // see the pause would take the messages in as they came, before they were old.
    await subscriptionLogged(worker, "consuming", to);
    await setFlowStatus({
      db: env.db,
      workspaceId: workspaceId(),
      actor: seeded.owner.actor,
      flowId: to,
      status: "paused",
    });
    await subscriptionLogged(worker, "stopped", to);
    const topicId = (await topicNamed("alerts"))?.id as string;
    await scoped(env.db, { workspaceId: workspaceId() }, (tx) =>
      tx.topic.update({ where: { id: topicId }, data: { maxDepth: 2, maxAgeSeconds: 3 } }),
    );
    const send = (n: number) =>
      publishToTopic({
        db: env.db,
        workspaceId: workspaceId(),
        topic: "alerts",
        publishKey: `test:alerts:${n}`,
        body: { n },
        headers: [],
      });
    await send(1);
    await send(2);
    await expect(send(3)).rejects.toThrow(/"alerts" is full: a subscriber has 2 messages waiting/);
    // Past the age limit: dropped for the subscriber, which then takes only what came since.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    await send(4);
    await setFlowStatus({
      db: env.db,
      workspaceId: workspaceId(),
      actor: seeded.owner.actor,
      flowId: to,
      status: "active",
    });
    const deadline = Date.now() + 15_000;
    while (((await topicNamed("alerts"))?.depth ?? 0) > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await topicNamed("alerts"))?.depth).toBe(0);
    expect((await runsOf(to, 1)).map((input) => input.body)).toEqual([{ n: 4 }]);
  });

  it("runs a message once when its delivery or its publish is repeated, as after a worker crash", async () => {
    const from = await publisher("returns");
    const to = await subscriber("returns");
    const publisherRun = await publish(from, { r: 1 });
    await waitForRun({ db: env.db, workspaceId: workspaceId(), runId: publisherRun });
    const [input] = await runsOf(to, 1);
    const messageId = messageIdOf(input as NonNullable<typeof input>) as string;
    // What a crash between the run's commit and the delivery's removal leaves behind.
    await scoped(env.db, { workspaceId: workspaceId() }, (tx) =>
      tx.topicDelivery.create({ data: { workspaceId: workspaceId(), messageId, flowId: to, stepId: "in" } }),
    );
    const deadline = Date.now() + 10_000;
    while (((await topicNamed("returns"))?.depth ?? 0) > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await topicNamed("returns"))?.depth).toBe(0);
    expect(await runsOf(to, 2, 1000)).toHaveLength(1);
    // And what a crash between a publish and its step's checkpoint leaves: the step publishes again, under
    // the same activation's key, and finds its message delivered already.
    const again = await publishToTopic({
      db: env.db,
      workspaceId: workspaceId(),
      topic: "returns",
      publishKey: `${publisherRun}:publish`,
      body: { r: 1 },
      headers: [],
    });
    expect(again).toEqual({ messageId, subscribers: 0, duplicate: true });
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await runsOf(to, 2, 0)).toHaveLength(1);
  });

  it("keeps order per key when asked: a key's next message waits for its previous run, other keys do not", async () => {
    const from = await flow("Publish keyed", [
      ["in", "trigger.manual"],
      ["publish", "topic.publish", { topic: "accounts", key: "{{ customer }}" }],
    ]);
    const to = await flow("Keeps order", [
      ["in", "trigger.topic", { topic: "accounts", ordered: true }],
      ["work", "flow.delay", { seconds: 1 }],
    ]);
    for (const [customer, n] of [
      ["c1", 1],
      ["c1", 2],
      ["c2", 1],
      ["c1", 3],
    ] as const) {
      await waitForRun({ db: env.db, workspaceId: workspaceId(), runId: await publish(from, { customer, n }) });
    }
    await runsOf(to, 4, 30_000);
    const runs = await scoped(env.db, { workspaceId: workspaceId() }, (tx) =>
      tx.run.findMany({ where: { flowId: to }, orderBy: { queuedAt: "asc" }, select: { id: true, input: true } }),
    );
    const ended = await Promise.all(
      runs.map((run) => waitForRun({ db: env.db, workspaceId: workspaceId(), runId: run.id })),
    );
    const of = (customer: string) =>
      ended
        .filter((run) => (run.input.body as { customer: string }).customer === customer)
        .map((run) => ({ n: (run.input.body as { n: number }).n, queuedAt: run.queuedAt, finishedAt: run.finishedAt }));
    const c1 = of("c1");
    expect(c1.map((run) => run.n)).toEqual([1, 2, 3]);
    for (let i = 1; i < c1.length; i++) {
      expect(new Date(c1[i]?.queuedAt as Date).getTime()).toBeGreaterThanOrEqual(
        new Date(c1[i - 1]?.finishedAt as Date).getTime(),
      );
    }
    // c2 did not wait behind c1.
    expect(new Date(of("c2")[0]?.queuedAt as Date).getTime()).toBeLessThan(
      new Date(c1[1]?.finishedAt as Date).getTime(),
    );
    const headers = ended[0]?.input.headers as { name: string; value: string }[];
    expect(headers).toContainEqual({ name: "x-topic-key", value: "c1" });
  });

  it("neither loses nor repeats a message when a worker is SIGKILLed between publishes and deliveries", async () => {
    const from = await publisher("payments");
    const to = await subscriber("payments");
    const published = [];
    for (let n = 1; n <= 40; n++) published.push(await publish(from, { n }));
    // Some delivered, most not yet: kill the worker that holds the subscription and runs the publishers.
    await runsOf(to, 3);
    await worker.stop("SIGKILL");
    // Killed with messages published and not yet delivered (or not yet published at all).
    expect((await runsOf(to, 0, 0)).length).toBeLessThan(40);
    worker = await startWorker({ databaseUrl: env.databaseUrl, redisPrefix: env.redisPrefix, env: WORKER_ENV });
    for (const runId of published) {
      const run = await waitForRun({ db: env.db, workspaceId: workspaceId(), runId });
      expect(run.status).toBe("succeeded");
    }
    const inputs = await runsOf(to, 40, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const settled = await runsOf(to, 40, 0);
    expect(settled).toHaveLength(40);
    const numbers = settled.map((input) => (input.body as { n: number }).n).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new Set(inputs.map(messageIdOf)).size).toBe(40);
    expect((await topicNamed("payments"))?.depth).toBe(0);
  });
});
