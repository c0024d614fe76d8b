// Subscription triggers held by real workers against the real brokers: each delivers exactly the messages
// published while its flow is active, none twice after a worker is killed mid-stream, one consumer per trigger
// however many workers run, and it consumes again after the broker drops its connection.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { getRun, listRuns, setFlowStatus } from "@tributary/core";
import { connect as amqpConnect, type Channel, type ChannelModel } from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useConnectorHarness } from "../support/connector-harness.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph } from "../support/run-helpers.ts";
import { startWorker } from "../support/worker-process.ts";

const env = useTestEnvironment();
const harness = useConnectorHarness(env, { workerEnv: { SUBSCRIPTION_SYNC_MS: "300" } });
const tag = randomBytes(4).toString("hex");

/** The input bodies of a flow's runs, oldest first, once there are `count` of them. */
async function runBodies(flowId: string, count: number, timeoutMs = 20_000): Promise<unknown[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { runs } = await listRuns({ db: env.db, workspaceId: harness.workspaceId, flowId, limit: 200 });
    if (runs.length >= count || Date.now() > deadline) {
      const details = await Promise.all(
        runs.map((run) => getRun({ db: env.db, workspaceId: harness.workspaceId, runId: run.id })),
      );
      return details.reverse().map((run) => run.input.body);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("RabbitMQ queue trigger", () => {
  let broker: ChannelModel;
  let channel: Channel;
  let connectionId = "";
  let flowId = "";
  const queue = `trb-sub-${tag}`;
  const send = (body: unknown, messageId: string) =>
    channel.sendToQueue(queue, Buffer.from(JSON.stringify(body)), {
      contentType: "application/json",
      messageId,
      persistent: true,
    });
  const setStatus = (status: "active" | "paused") =>
    setFlowStatus({ db: env.db, workspaceId: harness.workspaceId, actor: harness.actor, flowId, status });

  beforeAll(async () => {
    broker = await amqpConnect("amqp://guest:guest@127.0.0.1:5672");
    channel = await broker.createChannel();
    await channel.assertQueue(queue, { durable: true });
    connectionId = await harness.connect("amqp", { host: "127.0.0.1", username: "guest", password: "guest" });
  });
  afterAll(async () => {
    await channel.deleteQueue(queue).catch(() => undefined);
    await broker.close();
  });

  it("starts a run for each message, with its headers, once the flow is published", async () => {
    flowId = await harness.publish(
      graph(
        [
          ["orders", "amqp.consume", { connectionId, queue }],
          ["log", "util.log", { message: "got {{ n }}" }],
        ],
        [["orders", "log"]],
      ),
    );
    await settle(1000);
    for (const n of [1, 2, 3]) send({ n }, `m-${n}`);
    // Up to `prefetch` messages are taken at once, so their runs may start in any order.
    expect(await runBodies(flowId, 3)).toEqual(expect.arrayContaining([{ n: 1 }, { n: 2 }, { n: 3 }]));
    const [first] = (await listRuns({ db: env.db, workspaceId: harness.workspaceId, flowId, limit: 1 })).runs;
    const run = await getRun({ db: env.db, workspaceId: harness.workspaceId, runId: first?.id ?? "" });
    expect(run.trigger).toBe("amqp.consume");
    expect(run.input.headers).toEqual(
      expect.arrayContaining([
        { name: "amqp-routing-key", value: queue },
        { name: "amqp-message-id", value: "m-3" },
      ]),
    );
  });

  it("leaves messages on the queue while the flow is paused, and takes them when it is active again", async () => {
    await setStatus("paused");
    await settle(1200);
    send({ n: 4 }, "m-4");
    send({ n: 5 }, "m-5");
    await settle(1000);
    expect((await channel.checkQueue(queue)).messageCount).toBe(2);
    expect(await runBodies(flowId, 3, 0)).toHaveLength(3);
    await setStatus("active");
    expect((await runBodies(flowId, 5)).slice(3)).toEqual(expect.arrayContaining([{ n: 4 }, { n: 5 }]));
  });

  it("runs no message twice when its worker is killed mid-stream and another takes over", async () => {
    for (let n = 6; n <= 45; n++) send({ n }, `m-${n}`);
    await settle(150);
    await harness.restartWorker("SIGKILL");
    const bodies = (await runBodies(flowId, 45, 30_000)) as { n: number }[];
    expect(bodies.map((body) => body.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    expect((await channel.checkQueue(queue)).messageCount).toBe(0);
  });

  it("keeps one consumer however many workers run, and consumes again after the broker drops the connection", async () => {
    const second = await startWorker({
      databaseUrl: env.databaseUrl,
      redisPrefix: env.redisPrefix,
      env: { SUBSCRIPTION_SYNC_MS: "300" },
    });
    try {
      await settle(1500);
      expect((await channel.checkQueue(queue)).consumerCount).toBe(1);
      const listing = execFileSync("rabbitmqctl", ["-q", "list_connections", "pid", "client_properties"], {
        encoding: "utf8",
      });
      const line = listing.split("\n").find((row) => row.includes(`tributary consumer tributary-${flowId}`));
      const pid = line?.split("\t")[0];
      expect(pid).toBeTruthy();
      execFileSync("rabbitmqctl", ["close_connection", pid ?? "", "test: the broker drops the consumer"]);
      await settle(2000);
      send({ n: 46 }, "m-46");
      expect((await runBodies(flowId, 46)).at(-1)).toEqual({ n: 46 });
      expect((await channel.checkQueue(queue)).consumerCount).toBe(1);
    } finally {
      await second.stop();
    }
  });
});
