// The messaging connectors against the real Redis, RabbitMQ, Mosquitto and NATS (with JetStream) on this
// machine, run by a real worker; what each step sends is read back by a client of the broker itself.
import { randomBytes } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import { type NatsConnection, connect as natsConnect } from "@nats-io/transport-node";
import { connect as amqpConnect, type ChannelModel } from "amqplib";
import { Redis } from "ioredis";
import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useConnectorHarness } from "../support/connector-harness.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph } from "../support/run-helpers.ts";

const env = useTestEnvironment();
const harness = useConnectorHarness(env);
const tag = randomBytes(4).toString("hex");
const manual: [string, string] = ["start", "trigger.manual"];
const one = (id: string, type: string, config: Record<string, unknown>, body?: unknown) =>
  harness.runFlow(graph([manual, [id, type, config]], [["start", id]]), body);
const eventually = async <T>(read: () => T | undefined, ms = 5000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("Nothing arrived in time");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe("Redis", () => {
  let redis: Redis;
  let connectionId = "";
  const key = (name: string) => `trb-test:${tag}:${name}`;
  beforeAll(async () => {
    redis = new Redis({ host: "127.0.0.1", port: 6379 });
  });
  afterAll(async () => {
    const keys = await redis.keys(`trb-test:${tag}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it("pings the server and names a closed port", async () => {
    connectionId = await harness.connect("redis", { host: "127.0.0.1", port: 6379 });
    expect(await harness.ping(connectionId)).toMatchObject({ ok: true });
    const closed = await harness.connect("redis", { host: "127.0.0.1", port: 1, timeoutSeconds: 2 });
    expect(await harness.ping(closed)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/Redis at 127\.0\.0\.1:1/),
    });
  });

  it("sets with an expiry, gets, counts, pushes and pops, appends to a stream and publishes", async () => {
    const set = await one(
      "set",
      "redis.set",
      { connectionId, key: key("order"), ttlSeconds: 60 },
      { id: "A-1", qty: 2 },
    );
    expect(set.status).toBe("succeeded");
    expect(set.output?.body).toEqual({ id: "A-1", qty: 2 });
    expect(JSON.parse((await redis.get(key("order"))) ?? "null")).toEqual({ id: "A-1", qty: 2 });
    expect(await redis.ttl(key("order"))).toBeGreaterThan(50);
    expect((await one("get", "redis.get", { connectionId, key: key("order") })).output?.body).toEqual({
      id: "A-1",
      qty: 2,
    });
    await one("n", "redis.incr", { connectionId, key: key("count") });
    expect((await one("n", "redis.incr", { connectionId, key: key("count"), by: 5 })).output?.body).toBe(6);

    await one("push", "redis.list-push", { connectionId, key: key("jobs") }, "first");
    await one("push", "redis.list-push", { connectionId, key: key("jobs") }, { n: 2 });
    expect((await one("pop", "redis.list-pop", { connectionId, key: key("jobs") })).output?.body).toBe("first");
    expect((await one("pop", "redis.list-pop", { connectionId, key: key("jobs"), end: "tail" })).output?.body).toEqual({
      n: 2,
    });

    const added = await one(
      "add",
      "redis.stream-add",
      { connectionId, key: key("events"), resultField: "entryId" },
      { kind: "paid", amount: 12 },
    );
    const entryId = (added.output?.body as { entryId: string } | undefined)?.entryId;
    expect(await redis.xrange(key("events"), "-", "+")).toEqual([[entryId, ["kind", "paid", "amount", "12"]]]);

    const subscriber = new Redis({ host: "127.0.0.1", port: 6379 });
    const received: string[] = [];
    subscriber.on("message", (_channel, text) => received.push(text));
    await subscriber.subscribe(key("news"));
    await one("pub", "redis.publish", { connectionId, channel: key("news") }, { headline: "shipped" });
    expect(await eventually(() => received[0])).toBe('{"headline":"shipped"}');
    subscriber.disconnect();

    await one("del", "redis.delete", { connectionId, keys: [key("order"), key("count")] });
    expect(await redis.exists(key("order"), key("count"))).toBe(0);
  });
});

describe("RabbitMQ", () => {
  let broker: ChannelModel;
  let connectionId = "";
  const queue = `trb-test-${tag}`;
  beforeAll(async () => {
    broker = await amqpConnect("amqp://guest:guest@127.0.0.1:5672");
    const channel = await broker.createChannel();
    await channel.assertQueue(queue, { durable: true });
  });
  afterAll(async () => {
    const channel = await broker.createChannel();
    await channel.deleteQueue(queue);
    await broker.close();
  });

  it("pings the broker and names wrong credentials", async () => {
    connectionId = await harness.connect("amqp", { host: "127.0.0.1", username: "guest", password: "guest" });
    expect(await harness.ping(connectionId)).toMatchObject({ ok: true });
    const wrong = await harness.connect("amqp", { host: "127.0.0.1", username: "guest", password: "nope" });
    expect(await harness.ping(wrong)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/refused the user name or password/),
    });
  });

  it("publishes persistent messages with headers, confirmed; unroutable ones and missing exchanges fail the step", async () => {
    const sent = await one(
      "pub",
      "amqp.publish",
      { connectionId, routingKey: queue, headers: [{ name: "x-order", value: "{{ id }}" }] },
      { id: "A-9", total: 42 },
    );
    expect(sent.status).toBe("succeeded");
    const channel = await broker.createChannel();
    // Confirmed means queued: the message is there when the step has succeeded.
    const got = await channel.get(queue, { noAck: true });
    if (!got) throw new Error("The queue is empty");
    expect(JSON.parse(got.content.toString())).toEqual({ id: "A-9", total: 42 });
    expect(got.properties).toMatchObject({
      contentType: "application/json",
      deliveryMode: 2,
      messageId: sent.input.id,
    });
    expect(got.properties.headers).toMatchObject({ "x-order": "A-9" });

    const unroutable = await one("pub", "amqp.publish", { connectionId, routingKey: `nobody-${tag}` }, {});
    expect(unroutable.status).toBe("failed");
    expect(unroutable.error?.message).toMatch(/No queue took the message/);
    const missing = await one("pub", "amqp.publish", { connectionId, exchange: `no-such-${tag}`, routingKey: "x" }, {});
    expect(missing.status).toBe("failed");
    expect(missing.error?.message).toMatch(/no exchange 'no-such-/);
    // The broker closed that channel; the next publish opens a new one.
    expect((await one("pub", "amqp.publish", { connectionId, routingKey: queue }, "again")).status).toBe("succeeded");
    expect((await channel.get(queue, { noAck: true })) && true).toBe(true);
  });
});

describe("MQTT", () => {
  let subscriber: MqttClient;
  let connectionId = "";
  const topic = `trb/${tag}/orders`;
  beforeAll(async () => {
    subscriber = await connectAsync("mqtt://127.0.0.1:1883", { protocolVersion: 5 });
  });
  afterAll(async () => {
    await subscriber.publishAsync(topic, "", { retain: true });
    await subscriber.endAsync();
  });

  it("pings the broker and names a closed port", async () => {
    connectionId = await harness.connect("mqtt", { host: "127.0.0.1" });
    expect(await harness.ping(connectionId)).toMatchObject({ ok: true });
    const closed = await harness.connect("mqtt", { host: "127.0.0.1", port: 1, timeoutSeconds: 2 });
    expect(await harness.ping(closed)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/MQTT broker at 127\.0\.0\.1:1/),
    });
  });

  it("publishes with each QoS and user properties, and retains when asked", async () => {
    const received: { payload: string; qos: number; properties: unknown }[] = [];
    subscriber.on("message", (_topic, payload, packet) =>
      received.push({ payload: payload.toString(), qos: packet.qos, properties: packet.properties }),
    );
    await subscriber.subscribeAsync(topic, { qos: 2 });
    for (const qos of [0, 1, 2]) {
      const run = await one(
        "pub",
        "mqtt.publish",
        { connectionId, topic, qos, userProperties: [{ name: "n", value: String(qos) }] },
        { qos },
      );
      expect(run.status).toBe("succeeded");
    }
    await eventually(() => (received.length === 3 ? true : undefined));
    expect(received.map((r) => [JSON.parse(r.payload).qos, r.qos])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    expect(received[2]?.properties).toMatchObject({ contentType: "application/json", userProperties: { n: "2" } });

    const kept = await one("pub", "mqtt.publish", { connectionId, topic, retain: true }, "last known state");
    expect(kept.status, JSON.stringify(kept.error)).toBe("succeeded");
    const late = await connectAsync("mqtt://127.0.0.1:1883");
    const retained: string[] = [];
    late.on("message", (_t, payload) => retained.push(payload.toString()));
    await late.subscribeAsync(topic);
    expect(await eventually(() => retained[0])).toBe("last known state");
    await late.endAsync();
  });
});

describe("NATS", () => {
  let nc: NatsConnection;
  let connectionId = "";
  const subject = `trb.${tag}`;
  beforeAll(async () => {
    nc = await natsConnect({ servers: "127.0.0.1:4222" });
  });
  afterAll(async () => {
    const manager = await jetstreamManager(nc);
    await manager.streams.delete(`TRB_${tag}`).catch(() => undefined);
    await nc.close();
  });

  it("pings the server and names a closed port", async () => {
    connectionId = await harness.connect("nats", { host: "127.0.0.1" });
    expect(await harness.ping(connectionId)).toMatchObject({ ok: true });
    const closed = await harness.connect("nats", { host: "127.0.0.1", port: 1, timeoutSeconds: 2 });
    expect(await harness.ping(closed)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/NATS at 127\.0\.0\.1:1/),
    });
  });

  it("publishes with headers, asks and gets a reply, and says when nobody answers", async () => {
    const received: { data: string; header: string | undefined }[] = [];
    const subscription = nc.subscribe(`${subject}.events`, {
      callback: (_error, msg) => {
        received.push({ data: msg.string(), header: msg.headers?.get("x-order") });
      },
    });
    await nc.flush();
    const sent = await one(
      "pub",
      "nats.publish",
      { connectionId, subject: `${subject}.events`, headers: [{ name: "x-order", value: "B-2" }] },
      { id: "B-2" },
    );
    expect(sent.status).toBe("succeeded");
    expect(await eventually(() => received[0])).toEqual({ data: '{"id":"B-2"}', header: "B-2" });
    subscription.unsubscribe();

    const responder = nc.subscribe(`${subject}.price`, {
      callback: (_error, msg) => {
        msg.respond(JSON.stringify({ sku: msg.json<{ sku: string }>().sku, price: 9.5 }));
      },
    });
    await nc.flush();
    const asked = await one(
      "ask",
      "nats.request",
      { connectionId, subject: `${subject}.price`, resultField: "quote" },
      { sku: "X" },
    );
    expect(asked.output?.body).toEqual({ sku: "X", quote: { sku: "X", price: 9.5 } });
    responder.unsubscribe();
    const nobody = await one(
      "ask",
      "nats.request",
      { connectionId, subject: `${subject}.nobody`, timeoutSeconds: 1 },
      {},
    );
    expect(nobody.status).toBe("failed");
    expect(nobody.error?.message).toMatch(/Nobody answers requests on trb\./);
  });

  it("publishes to a JetStream stream and gets its acknowledgement", async () => {
    const manager = await jetstreamManager(nc);
    await manager.streams.add({ name: `TRB_${tag}`, subjects: [`${subject}.js.>`] });
    const run = await one(
      "js",
      "nats.jetstream-publish",
      { connectionId, subject: `${subject}.js.orders`, expectStream: `TRB_${tag}`, resultField: "ack" },
      { id: "C-3" },
    );
    expect(run.status).toBe("succeeded");
    expect(run.output?.body).toEqual({ id: "C-3", ack: { stream: `TRB_${tag}`, sequence: 1, duplicate: false } });
    const stored = await manager.streams.getMessage(`TRB_${tag}`, { seq: 1 });
    expect(stored?.json()).toEqual({ id: "C-3" });
    const noStream = await one("js", "nats.jetstream-publish", { connectionId, subject: `${subject}.nostream` }, {});
    expect(noStream.status).toBe("failed");
    expect(noStream.error?.message).toMatch(/No JetStream stream captures/);
  });
});
