// "Send dead letters to" on the other brokers, against the real NATS (with JetStream), Mosquitto and Redis on this
// machine, run by a real worker: a message whose run fails arrives on the trigger's dead-letter subject, stream or
// topic with its body and its error (in headers, MQTT 5 user properties or stream fields), read back by a client
// of the broker itself. (RabbitMQ's is in dead-letters.test.ts.)
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { type Msg, type NatsConnection, connect as natsConnect } from "@nats-io/transport-node";
import { Redis } from "ioredis";
import { connectAsync, type IPublishPacket, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useConnectorHarness } from "../support/connector-harness.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph } from "../support/run-helpers.ts";
import { subscriptionLogged } from "../support/worker-process.ts";

const env = useTestEnvironment();
const harness = useConnectorHarness(env, { workerEnv: { SUBSCRIPTION_SYNC_MS: "300" } });
const tag = randomBytes(4).toString("hex");
// Every run fails here, with an error of two lines: sent as one (NATS header values and MQTT properties refuse
// line breaks).
const failing: [string, string, Record<string, unknown>] = [
  "price",
  "data.transform",
  { expression: '$error("No price for order " & id & ".\nAdd it to the catalogue.")' },
];
const ERROR = /No price for order A-1\. Add it to the catalogue\./;

/** Polls until `check` returns a value (not undefined); fails with `what` after the deadline. */
async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await sleep(100);
  }
}

/** Publishes a flow of `trigger` → the failing step and waits until its subscription consumes. */
async function failingFlow(type: string, config: Record<string, unknown>): Promise<string> {
  const flowId = await harness.publish(graph([["in", type, config], failing], [["in", "price"]]));
  await subscriptionLogged(harness.worker, "consuming", flowId);
  return flowId;
}

describe("dead-letter destinations", () => {
  let nc: NatsConnection;
  let redis: Redis;
  let mqtt: MqttClient;
  const streams = { in: `TRB_DLX_IN_${tag}`, dead: `TRB_DLX_DEAD_${tag}` };
  const redisKey = (name: string) => `trb-dlx:${tag}:${name}`;
  beforeAll(async () => {
    nc = await natsConnect({ servers: "127.0.0.1:4222" });
    const manager = await jetstreamManager(nc);
    await manager.streams.add({ name: streams.in, subjects: [`trbdlx.${tag}.js.in`] });
    await manager.streams.add({ name: streams.dead, subjects: [`trbdlx.${tag}.js.dead`] });
    redis = new Redis({ host: "127.0.0.1", port: 6379 });
    mqtt = await connectAsync("mqtt://127.0.0.1:1883", { protocolVersion: 5 });
  });
  afterAll(async () => {
    const manager = await jetstreamManager(nc);
    for (const name of Object.values(streams)) await manager.streams.delete(name).catch(() => undefined);
    await nc?.close();
    const keys = await redis.keys(`trb-dlx:${tag}:*`);
    if (keys.length) await redis.del(...keys);
    redis?.disconnect();
    await mqtt?.endAsync();
  });

  it("publishes a core NATS subject's failed message to the dead-letter subject, its error in headers", async () => {
    const connectionId = await harness.connect("nats", { host: "127.0.0.1" });
    const received: Msg[] = [];
    nc.subscribe(`trbdlx.${tag}.dead`, {
      callback: (_error, msg) => {
        received.push(msg);
      },
    });
    await nc.flush();
    const flowId = await failingFlow("nats.subscribe", {
      connectionId,
      subject: `trbdlx.${tag}.in.*`,
      deadLetterSubject: `trbdlx.${tag}.dead`,
    });
    nc.publish(`trbdlx.${tag}.in.eu`, JSON.stringify({ id: "A-1", qty: 2 }));
    const dead = await eventually("the dead letter arrives on the subject", () => received[0]);
    expect(dead.json()).toEqual({ id: "A-1", qty: 2 });
    expect(dead.headers?.get("x-tributary-error")).toMatch(ERROR);
    expect(dead.headers?.get("x-tributary-flow-id")).toBe(flowId);
    expect(dead.headers?.get("x-tributary-subject")).toBe(`trbdlx.${tag}.in.eu`);
    expect(dead.headers?.get("x-tributary-run-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(dead.headers?.get("content-type")).toBe("application/json");
  });

  it("publishes a JetStream consumer's failed message through JetStream, kept by the stream that captures it", async () => {
    const connectionId = await harness.connect("nats", { host: "127.0.0.1" });
    const flowId = await failingFlow("nats.jetstream-consume", {
      connectionId,
      stream: streams.in,
      deadLetterSubject: `trbdlx.${tag}.js.dead`,
    });
    await jetstream(nc).publish(`trbdlx.${tag}.js.in`, JSON.stringify({ id: "A-1", qty: 3 }));
    const manager = await jetstreamManager(nc);
    await eventually("the dead-letter stream keeps the message", async () =>
      (await manager.streams.info(streams.dead)).state.messages === 1 ? true : undefined,
    );
    const dead = await manager.streams.getMessage(streams.dead, { seq: 1 });
    expect(dead?.json()).toEqual({ id: "A-1", qty: 3 });
    expect(dead?.header.get("x-tributary-error")).toMatch(ERROR);
    expect(dead?.header.get("x-tributary-flow-id")).toBe(flowId);
    expect(dead?.header.get("x-tributary-stream")).toBe(streams.in);
    expect(dead?.header.get("x-tributary-stream-sequence")).toBe("1");
    // The run's id is the JetStream message id: a second try of the send is not kept twice.
    expect(dead?.header.get("Nats-Msg-Id")).toBe(`dead-letter-${dead?.header.get("x-tributary-run-id")}`);
  });

  it("publishes an MQTT topic's failed message to the dead-letter topic, its error in MQTT 5 user properties", async () => {
    const connectionId = await harness.connect("mqtt", { host: "127.0.0.1" });
    const received: { payload: string; packet: IPublishPacket }[] = [];
    mqtt.on("message", (_topic, payload, packet) => received.push({ payload: payload.toString(), packet }));
    await mqtt.subscribeAsync(`trbdlx/${tag}/dead`, { qos: 1 });
    const flowId = await failingFlow("mqtt.subscribe", {
      connectionId,
      topic: `trbdlx/${tag}/in/+`,
      qos: 1,
      deadLetterTopic: `trbdlx/${tag}/dead`,
    });
    await mqtt.publishAsync(`trbdlx/${tag}/in/line-1`, JSON.stringify({ id: "A-1", qty: 4 }), { qos: 1 });
    const dead = await eventually("the dead letter arrives on the topic", () => received[0]);
    expect(JSON.parse(dead.payload)).toEqual({ id: "A-1", qty: 4 });
    expect(dead.packet.qos).toBe(1);
    expect(dead.packet.properties?.contentType).toBe("application/json");
    expect(dead.packet.properties?.userProperties).toMatchObject({
      "x-tributary-error": expect.stringMatching(ERROR),
      "x-tributary-flow-id": flowId,
      "x-tributary-topic": `trbdlx/${tag}/in/line-1`,
    });
  });

  it("adds a Redis stream's failed entry to the dead-letter stream, its fields as they came and the error as a field", async () => {
    const connectionId = await harness.connect("redis", { host: "127.0.0.1" });
    const flowId = await failingFlow("redis.stream-consume", {
      connectionId,
      stream: redisKey("in"),
      deadLetterStream: redisKey("dead"),
    });
    const entryId = await redis.xadd(redisKey("in"), "*", "id", "A-1", "lines", JSON.stringify([{ sku: "X" }]));
    const [dead] = await eventually("the dead-letter stream has the entry", async () => {
      const entries = await redis.xrange(redisKey("dead"), "-", "+");
      return entries.length ? entries : undefined;
    });
    const fields = new Map<string, string>();
    for (let index = 0; index + 1 < (dead?.[1].length ?? 0); index += 2) {
      fields.set(dead?.[1][index] as string, dead?.[1][index + 1] as string);
    }
    expect(fields.get("id")).toBe("A-1");
    expect(JSON.parse(fields.get("lines") ?? "null")).toEqual([{ sku: "X" }]);
    expect(fields.get("x-tributary-error")).toMatch(ERROR);
    expect(fields.get("x-tributary-flow-id")).toBe(flowId);
    expect(fields.get("x-tributary-stream")).toBe(redisKey("in"));
    expect(fields.get("x-tributary-entry-id")).toBe(entryId);
  });
});
