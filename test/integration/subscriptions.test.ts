// Subscription triggers held by real workers against the real brokers and databases: each delivers exactly the messages
// published while its flow is active, none twice after a worker is killed mid-stream, one consumer per trigger
// however many workers run, and it consumes again after the broker drops its connection.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { type NatsConnection, connect as natsConnect } from "@nats-io/transport-node";
import { getRun, listRuns, setFlowStatus } from "@tributary/core";
import { connect as amqpConnect, type Channel, type ChannelModel } from "amqplib";
import { Redis } from "ioredis";
import { connectAsync, type MqttClient } from "mqtt";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useConnectorHarness } from "../support/connector-harness.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { freePort } from "../support/free-port.ts";
import { graph } from "../support/run-helpers.ts";
import { startWorker, subscriptionLogged } from "../support/worker-process.ts";

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
const subscription = (event: "consuming" | "stopped", flowId: string, options?: { count?: number }) =>
  subscriptionLogged(harness.worker, event, flowId, options);
const setStatus = (flowId: string, status: "active" | "paused") =>
  setFlowStatus({ db: env.db, workspaceId: harness.workspaceId, actor: harness.actor, flowId, status });
const numbers = (bodies: unknown[]) => (bodies as { n: unknown }[]).map((body) => Number(body.n)).sort((a, b) => a - b);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** A flow of one subscription trigger and a log step. */
const triggerFlow = (type: string, config: Record<string, unknown>) =>
  harness.publish(
    graph(
      [
        ["in", type, config],
        ["log", "util.log", { message: "got it" }],
      ],
      [["in", "log"]],
    ),
  );

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
  const setStatusOfFlow = (status: "active" | "paused") => setStatus(flowId, status);

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
    await subscription("consuming", flowId);
    for (const n of [1, 2, 3]) send({ n }, `m-${n}`);
    // Up to `prefetch` messages are taken at once, so their runs may start in any order.
    expect(await runBodies(flowId, 3)).toEqual(expect.arrayContaining([{ n: 1 }, { n: 2 }, { n: 3 }]));
    const [first] = (await listRuns({ db: env.db, workspaceId: harness.workspaceId, flowId, limit: 1 })).runs;
    const run = await getRun({ db: env.db, workspaceId: harness.workspaceId, runId: first?.id ?? "" });
    expect(run.trigger).toBe("amqp.consume");
    const { n } = run.input.body as { n: number };
    expect(run.input.headers).toEqual(
      expect.arrayContaining([
        { name: "amqp-routing-key", value: queue },
        { name: "amqp-message-id", value: `m-${n}` },
      ]),
    );
  });

  it("leaves messages on the queue while the flow is paused, and takes them when it is active again", async () => {
    await setStatusOfFlow("paused");
    await subscription("stopped", flowId);
    send({ n: 4 }, "m-4");
    send({ n: 5 }, "m-5");
    await settle(1000);
    expect((await channel.checkQueue(queue)).messageCount).toBe(2);
    expect(await runBodies(flowId, 3, 0)).toHaveLength(3);
    await setStatusOfFlow("active");
    expect((await runBodies(flowId, 5)).slice(3)).toEqual(expect.arrayContaining([{ n: 4 }, { n: 5 }]));
  });

  it("runs a message id once: a redelivery is not run again, another body under the same id is refused and logged", async () => {
    send({ n: 6 }, "m-6");
    expect(await runBodies(flowId, 6)).toHaveLength(6);
    send({ n: 6 }, "m-6");
    send({ n: 60 }, "m-6");
    send({ n: 7 }, "m-7");
    const bodies = await runBodies(flowId, 7);
    expect(bodies.slice(5)).toEqual([{ n: 6 }, { n: 7 }]);
    await expect.poll(() => channel.checkQueue(queue).then((q) => q.messageCount)).toBe(0);
    expect(harness.worker.output()).toMatch(/idempotency key \\?"m-6\\?" was used before with a different body/);
    expect(await runBodies(flowId, 8, 500)).toHaveLength(7);
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

describe("Redis stream trigger", () => {
  let redis: Redis;
  const stream = `trb-sub:${tag}:events`;
  beforeAll(() => {
    redis = new Redis({ host: "127.0.0.1", port: 6379 });
  });
  afterAll(async () => {
    await redis.del(stream);
    redis.disconnect();
  });

  it("runs each new entry once, through pause, a killed worker and a dropped connection", async () => {
    const connectionId = await harness.connect("redis", { host: "127.0.0.1" });
    await redis.xadd(stream, "*", "n", "0"); // before the flow: not its entry
    const flowId = await triggerFlow("redis.stream-consume", { connectionId, stream });
    await subscription("consuming", flowId);
    for (const n of range(1, 3)) await redis.xadd(stream, "*", "n", String(n));
    expect(numbers(await runBodies(flowId, 3))).toEqual(range(1, 3));

    await setStatus(flowId, "paused");

    await subscription("stopped", flowId);
    for (const n of range(4, 5)) await redis.xadd(stream, "*", "n", String(n));
    await settle(800);
    expect(await runBodies(flowId, 3, 0)).toHaveLength(3);
    await setStatus(flowId, "active");
    expect(numbers(await runBodies(flowId, 5))).toEqual(range(1, 5));

    for (const n of range(6, 40)) await redis.xadd(stream, "*", "n", String(n), "meta", JSON.stringify({ n }));
    await settle(100);
    await harness.restartWorker("SIGKILL");
    const bodies = await runBodies(flowId, 40, 30_000);
    expect(numbers(bodies)).toEqual(range(1, 40));
    expect(bodies).toContainEqual({ n: "40", meta: { n: 40 } });

    // The server drops the consumer's connection: it is started again and goes on. The restarted worker's
    // consumer may connect after the last entries ran (the killed one may have run them all): looked for until it has.
    const consumerId = async () => {
      const clients = (await redis.client("LIST")) as string;
      const consumer = clients.split("\n").find((line) => line.includes(`name=tributary-${flowId}-in `));
      return /\bid=(\d+)/.exec(consumer ?? "")?.[1];
    };
    await expect.poll(consumerId, { timeout: 30_000, interval: 100 }).toBeTruthy();
    const id = await consumerId();
    await redis.client("KILL", "ID", id ?? "");
    // No waiting for it to reconnect: the consumer group keeps what is added meanwhile.
    await redis.xadd(stream, "*", "n", "41");
    expect(numbers(await runBodies(flowId, 41))).toEqual(range(1, 41));
  }, 60_000);
});

describe("NATS triggers", () => {
  let nc: NatsConnection;
  const streamName = `TRB_SUB_${tag}`;
  beforeAll(async () => {
    nc = await natsConnect({ servers: "127.0.0.1:4222" });
    const manager = await jetstreamManager(nc);
    await manager.streams.add({ name: streamName, subjects: [`trbsub.${tag}.js.>`] });
  });
  afterAll(async () => {
    const manager = await jetstreamManager(nc);
    await manager.streams.delete(streamName).catch(() => undefined);
    await nc.close();
  });

  it("a JetStream consumer runs each message once, including those sent while paused or left by a killed worker", async () => {
    const connectionId = await harness.connect("nats", { host: "127.0.0.1" });
    const js = jetstream(nc);
    const send = (n: number) => js.publish(`trbsub.${tag}.js.orders`, JSON.stringify({ n }));
    await send(0); // before the flow: not its message
    const flowId = await triggerFlow("nats.jetstream-consume", { connectionId, stream: streamName });
    await subscription("consuming", flowId);
    for (const n of range(1, 3)) await send(n);
    expect(numbers(await runBodies(flowId, 3))).toEqual(range(1, 3));

    await setStatus(flowId, "paused");

    await subscription("stopped", flowId);
    for (const n of range(4, 5)) await send(n);
    await settle(800);
    expect(await runBodies(flowId, 3, 0)).toHaveLength(3);
    await setStatus(flowId, "active");
    expect(numbers(await runBodies(flowId, 5))).toEqual(range(1, 5));

    for (const n of range(6, 40)) await send(n);
    await harness.restartWorker("SIGKILL");
    expect(numbers(await runBodies(flowId, 40, 30_000))).toEqual(range(1, 40));
  }, 90_000);

  it("a JetStream consumer goes on after its NATS server restarts", async () => {
    const store = mkdtempSync(join(tmpdir(), "tributary-nats-"));
    const port = await freePort();
    const start = async () => {
      const server = spawn("/usr/sbin/nats-server", ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", store], {
        stdio: "ignore",
      });
      for (let tries = 0; tries < 100; tries++) {
        const client = await natsConnect({ servers: `127.0.0.1:${port}` }).catch(() => null);
        if (client) return { server, client };
        await settle(50);
      }
      throw new Error("nats-server did not start");
    };
    const stop = async (server: ChildProcess) => {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    };
    let { server, client } = await start();
    try {
      await (await jetstreamManager(client)).streams.add({ name: "RESTART", subjects: ["restart.>"] });
      const connectionId = await harness.connect("nats", { host: "127.0.0.1", port });
      const flowId = await triggerFlow("nats.jetstream-consume", { connectionId, stream: "RESTART" });
      await subscription("consuming", flowId);
      await jetstream(client).publish("restart.a", JSON.stringify({ n: 1 }));
      expect(numbers(await runBodies(flowId, 1))).toEqual([1]);

      await client.close();
      await stop(server);
      ({ server, client } = await start());
      await jetstream(client).publish("restart.a", JSON.stringify({ n: 2 }));
      expect(numbers(await runBodies(flowId, 2))).toEqual([1, 2]);
      await setStatus(flowId, "paused");
    } finally {
      await client.close().catch(() => undefined);
      await stop(server);
      rmSync(store, { recursive: true, force: true });
    }
  }, 60_000);

  it("a core NATS subject delivers what is sent while the flow listens, and nothing while it is paused", async () => {
    const connectionId = await harness.connect("nats", { host: "127.0.0.1" });
    const flowId = await triggerFlow("nats.subscribe", { connectionId, subject: `trbsub.${tag}.core.*` });
    await subscription("consuming", flowId);
    nc.publish(`trbsub.${tag}.core.a`, JSON.stringify({ n: 1 }));
    expect(numbers(await runBodies(flowId, 1))).toEqual([1]);
    await setStatus(flowId, "paused");
    await subscription("stopped", flowId);
    nc.publish(`trbsub.${tag}.core.a`, JSON.stringify({ n: 2 }));
    await setStatus(flowId, "active");
    await subscription("consuming", flowId, { count: 2 });
    nc.publish(`trbsub.${tag}.core.b`, JSON.stringify({ n: 3 }));
    expect(numbers(await runBodies(flowId, 2))).toEqual([1, 3]);
  });
});

describe("MQTT topic trigger", () => {
  let publisher: MqttClient;
  beforeAll(async () => {
    publisher = await connectAsync("mqtt://127.0.0.1:1883");
  });
  afterAll(async () => {
    await publisher.endAsync();
  });

  it("runs each QoS 1 message, keeping those sent while paused in its session, and after a dropped connection", async () => {
    const connectionId = await harness.connect("mqtt", { host: "127.0.0.1" });
    const topic = `trbsub/${tag}`;
    const flowId = await triggerFlow("mqtt.subscribe", { connectionId, topic: `${topic}/+`, qos: 1 });
    await subscription("consuming", flowId);
    for (const n of range(1, 3)) await publisher.publishAsync(`${topic}/line-${n}`, JSON.stringify({ n }), { qos: 1 });
    expect(numbers(await runBodies(flowId, 3))).toEqual(range(1, 3));
    const [latest] = (await listRuns({ db: env.db, workspaceId: harness.workspaceId, flowId, limit: 1 })).runs;
    const run = await getRun({ db: env.db, workspaceId: harness.workspaceId, runId: latest?.id ?? "" });
    expect(run.input.headers).toContainEqual({ name: "mqtt-topic", value: `${topic}/line-3` });

    await setStatus(flowId, "paused");

    await subscription("stopped", flowId);
    for (const n of range(4, 5)) await publisher.publishAsync(`${topic}/line-${n}`, JSON.stringify({ n }), { qos: 1 });
    await settle(800);
    expect(await runBodies(flowId, 3, 0)).toHaveLength(3);
    await setStatus(flowId, "active");
    expect(numbers(await runBodies(flowId, 5))).toEqual(range(1, 5));

    // The broker drops the consumer (a client with its id takes the session over): it is started again.
    const intruder = await connectAsync("mqtt://127.0.0.1:1883", {
      clientId: `tributary-${flowId}-in`,
      clean: false,
      reconnectPeriod: 0,
    });
    await intruder.endAsync(true);
    // Started at publishing, again when activated, and once more now.
    await subscription("consuming", flowId, { count: 3 });
    await publisher.publishAsync(`${topic}/line-6`, JSON.stringify({ n: 6 }), { qos: 1 });
    // QoS 1 is at least once: a message whose acknowledgement the dropped connection lost comes again.
    await expect
      .poll(async () => [...new Set(numbers(await runBodies(flowId, 6, 0)))], { timeout: 20_000, interval: 200 })
      .toEqual(range(1, 6));
  }, 60_000);
});

describe("PostgreSQL new rows trigger", () => {
  it("runs each row added after publishing once, through pause, a killed worker and dropped connections", async () => {
    const url = new URL(env.databaseUrl);
    const client = new pg.Client({ connectionString: env.databaseUrl });
    await client.connect();
    try {
      await client.query(
        "CREATE TABLE incoming (id serial PRIMARY KEY, n integer NOT NULL, at timestamptz DEFAULT now())",
      );
      const add = (from: number, to: number) =>
        client.query("INSERT INTO incoming (n) SELECT generate_series($1::int, $2::int)", [from, to]);
      await add(0, 0); // before the flow: not its row
      const connectionId = await harness.connect("postgres", {
        host: url.hostname,
        port: Number(url.port),
        database: url.pathname.slice(1),
        user: url.username,
        tls: "disable",
      });
      const flowId = await triggerFlow("postgres.new-rows", {
        connectionId,
        table: "incoming",
        intervalSeconds: 1,
        batch: 10,
      });
      await subscription("consuming", flowId);
      await add(1, 3);
      expect(numbers(await runBodies(flowId, 3))).toEqual(range(1, 3));

      await setStatus(flowId, "paused");

      await subscription("stopped", flowId);
      await add(4, 5);
      await settle(1500);
      expect(await runBodies(flowId, 3, 0)).toHaveLength(3);
      await setStatus(flowId, "active");
      expect(numbers(await runBodies(flowId, 5))).toEqual(range(1, 5));

      await add(6, 40);
      await settle(300);
      await harness.restartWorker("SIGKILL");
      const bodies = await runBodies(flowId, 40, 30_000);
      expect(numbers(bodies)).toEqual(range(1, 40));
      expect(bodies[0]).toMatchObject({ id: 2, n: 1, at: expect.any(String) });

      // The database drops the trigger's connections: it goes on with new ones.
      await client.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tributary' AND datname = current_database()",
      );
      await add(41, 41);
      expect(numbers(await runBodies(flowId, 41, 30_000))).toEqual(range(1, 41));
    } finally {
      await client.end();
    }
  }, 60_000);
});
