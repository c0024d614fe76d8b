// Dead letters against the real RabbitMQ and PostgreSQL, run by a real worker: 100 messages fail on a field,
// each is listed with its error and copied to the trigger's dead-letter queue; a fixed version is published and
// all are replayed on it and succeed. A message a row insert cannot use (text, not JSON) fails its run saying so,
// and is discarded.
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  discardDeadLetters,
  getBulkRerun,
  getFlow,
  listAuditEvents,
  listDeadLetters,
  publishFlow,
  replayAllDeadLetters,
  replayDeadLetters,
  saveFlowDraft,
} from "@tributary/core";
import type { FlowGraph } from "@tributary/engine";
import { connect as amqpConnect, type Channel, type ChannelModel } from "amqplib";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useConnectorHarness } from "../support/connector-harness.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph } from "../support/run-helpers.ts";
import { subscriptionLogged } from "../support/worker-process.ts";

const env = useTestEnvironment();
const harness = useConnectorHarness(env, { workerEnv: { SUBSCRIPTION_SYNC_MS: "300" } });
const tag = randomBytes(4).toString("hex");
const queues = { orders: `trb-dl-${tag}`, dead: `trb-dl-${tag}-dead`, text: `trb-dl-${tag}-text` };
const MESSAGES = 100;

let broker: ChannelModel;
let channel: Channel;
let sink: pg.Pool;
let amqpId = "";
let pgId = "";

beforeAll(async () => {
  broker = await amqpConnect("amqp://guest:guest@127.0.0.1:5672");
  channel = await broker.createChannel();
  for (const queue of Object.values(queues)) await channel.assertQueue(queue, { durable: true });
  sink = new pg.Pool({ connectionString: env.databaseUrl, max: 2 });
  await sink.query("CREATE TABLE dl_orders (id text PRIMARY KEY, total numeric NOT NULL)");
  const url = new URL(env.databaseUrl);
  amqpId = await harness.connect("amqp", { host: "127.0.0.1", username: "guest", password: "guest" });
  pgId = await harness.connect("postgres", {
    host: url.hostname,
    port: Number(url.port),
    database: url.pathname.slice(1),
    user: url.username,
    tls: "disable",
  });
});
afterAll(async () => {
  for (const queue of Object.values(queues)) await channel?.deleteQueue(queue).catch(() => undefined);
  await broker?.close();
  await sink?.end();
});

/** Polls until `check` returns a value (not undefined); fails with `what` after the deadline. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await sleep(200);
  }
}

const consuming = (flowId: string, count = 1) =>
  subscriptionLogged(harness.worker, "consuming", flowId, { count, timeoutMs: 120_000 });
const letters = (flowId: string, state: "open" | "replayed" | "discarded" = "open") =>
  listDeadLetters({ db: env.db, workspaceId: harness.workspaceId, flowId, state, limit: 200 });

const ordersFlow = (total: string): FlowGraph =>
  graph(
    [
      [
        "orders",
        "amqp.consume",
        { connectionId: amqpId, queue: queues.orders, prefetch: 20, deadLetterRoutingKey: queues.dead },
      ],
      ["save", "postgres.insert", { connectionId: pgId, table: "dl_orders", rows: { id: "{{ id }}", total } }],
    ],
    [["orders", "save"]],
  );

describe("dead letters", () => {
  it("lists 100 failed messages, copies them to the dead-letter queue, and replays them all on a fixed version", async () => {
    const workspaceId = harness.workspaceId;
    // Version 1 reads the quantity from a field the messages do not have: every insert fails on total.
    const flowId = await harness.publish(ordersFlow("{{ price * qty }}"));
    await consuming(flowId);
    for (let n = 1; n <= MESSAGES; n++) {
      channel.sendToQueue(queues.orders, Buffer.from(JSON.stringify({ id: `o-${n}`, price: 2.5, quantity: n })), {
        contentType: "application/json",
        messageId: `m-${n}`,
        persistent: true,
      });
    }
    const failed = await eventually("100 dead letters are open", async () => {
      const page = await letters(flowId);
      return page.counts.open === MESSAGES ? page : undefined;
    });
    expect(failed.deadLetters).toHaveLength(MESSAGES);
    const first = failed.deadLetters[0];
    expect(first).toMatchObject({ trigger: "amqp.consume", triggerStepId: "orders", version: 1, state: "open" });
    expect(first?.error.message).toMatch(/total/);
    expect(first?.error.stepId).toBe("save");
    expect(JSON.parse(first?.body ?? "null")).toMatchObject({ price: 2.5 });
    expect(Number((await sink.query("SELECT count(*) AS n FROM dl_orders")).rows[0]?.n)).toBe(0);

    // Each failed message was also published to the trigger's dead-letter queue, with its error.
    await eventually("the dead-letter queue holds 100 messages", async () =>
      (await channel.checkQueue(queues.dead)).messageCount === MESSAGES ? true : undefined,
    );
    const copy = await channel.get(queues.dead, { noAck: false });
    if (!copy) throw new Error("The dead-letter queue gave no message");
    expect(JSON.parse(copy.content.toString())).toMatchObject({ price: 2.5 });
    expect(copy.properties.messageId).toMatch(/^m-\d+$/);
    expect(String(copy.properties.headers?.["x-tributary-error"])).toMatch(/total/);
    expect(copy.properties.headers?.["x-tributary-flow-id"]).toBe(flowId);
    channel.nack(copy, false, true);

    // The fix, published as version 2; then every open dead letter is replayed on it.
    const flow = await getFlow({ db: env.db, workspaceId, flowId });
    await saveFlowDraft({
      db: env.db,
      workspaceId,
      actor: harness.actor,
      flowId,
      graph: ordersFlow("{{ price * quantity }}"),
      baseRevision: flow.draftRevision,
    });
    await publishFlow({ db: env.db, workspaceId, actor: harness.actor, flowId });
    const bulk = await replayAllDeadLetters({
      db: env.db,
      queue: env.queue,
      workspaceId,
      actor: harness.actor,
      flowId,
    });
    expect(bulk.total).toBe(MESSAGES);
    await eventually("the bulk replay is done", async () => {
      const progress = await getBulkRerun({ db: env.db, workspaceId, bulkRerunId: bulk.id });
      return progress.status === "running" ? undefined : progress;
    });
    const replayed = await eventually("all 100 replays succeeded", async () => {
      const page = await letters(flowId, "replayed");
      return page.counts.replayed === MESSAGES && page.deadLetters.every((d) => d.replay?.status === "succeeded")
        ? page
        : undefined;
    });
    expect(replayed.counts).toEqual({ open: 0, replayed: MESSAGES, discarded: 0 });
    const rows = await sink.query<{ id: string; total: string }>("SELECT id, total FROM dl_orders ORDER BY id");
    expect(rows.rows).toHaveLength(MESSAGES);
    expect(rows.rows.find((row) => row.id === "o-4")?.total).toBe("10");
    const audit = await listAuditEvents({ db: env.db, workspaceId, limit: 20 });
    expect(audit.events.map((event) => event.action)).toEqual(
      expect.arrayContaining(["dead_letters.replayed", "runs.bulk_rerun"]),
    );
    // Nothing is left to replay.
    await expect(
      replayAllDeadLetters({ db: env.db, queue: env.queue, workspaceId, actor: harness.actor, flowId }),
    ).rejects.toThrow(/no open dead letters/);
  });

  it("fails a run whose text message cannot be a row, saying so, instead of inserting nothing; then discards it", async () => {
    const workspaceId = harness.workspaceId;
    const flowId = await harness.publish(
      graph(
        [
          ["in", "amqp.consume", { connectionId: amqpId, queue: queues.text }],
          ["save", "postgres.insert", { connectionId: pgId, table: "dl_orders" }],
        ],
        [["in", "save"]],
      ),
    );
    await consuming(flowId);
    channel.sendToQueue(queues.text, Buffer.from("order 7, three boxes"), {
      contentType: "text/plain",
      messageId: "t-1",
    });
    const open = await eventually("the text message is a dead letter", async () => {
      const page = await letters(flowId);
      return page.deadLetters[0];
    });
    expect(open.error.message).toMatch(
      /The row \(the message body\) is text \(“order 7, three boxes”, 20 characters\), not an object to insert\..*not JSON arrives as text/,
    );
    expect(open.body).toBe('"order 7, three boxes"');

    // The same text through a mapping gives an empty row: refused too, not "0 rows inserted".
    const viaMapping = await harness.runFlow(
      graph(
        [
          ["in", "trigger.manual"],
          ["shape", "data.transform", { expression: '{ "id": id, "total": total }' }],
          ["save", "postgres.insert", { connectionId: pgId, table: "dl_orders" }],
        ],
        [
          ["in", "shape"],
          ["shape", "save"],
        ],
      ),
      "order 8",
    );
    expect(viaMapping.status).toBe("failed");
    expect(viaMapping.error?.message).toMatch(
      /is an empty object \(\{\}\), so nothing of the message would be inserted/,
    );

    // Replaying it as it is fails the same way; discarding takes it off the open list, audited.
    const replay = await replayDeadLetters({
      db: env.db,
      queue: env.queue,
      workspaceId,
      actor: harness.actor,
      flowId,
      runIds: [open.runId],
    });
    expect(replay.replayed).toHaveLength(1);
    await eventually("the replay failed and the letter is open again", async () => {
      const page = await letters(flowId);
      return page.deadLetters[0]?.replay?.status === "failed" ? true : undefined;
    });
    expect(
      await discardDeadLetters({ db: env.db, workspaceId, actor: harness.actor, flowId, runIds: [open.runId] }),
    ).toEqual({
      discarded: 1,
    });
    expect((await letters(flowId)).counts).toEqual({ open: 0, replayed: 0, discarded: 1 });
    expect((await letters(flowId, "discarded")).deadLetters.map((d) => d.runId)).toEqual([open.runId]);
    const audit = await listAuditEvents({ db: env.db, workspaceId, limit: 5 });
    expect(audit.events[0]).toMatchObject({ action: "dead_letters.discarded", targetId: flowId });
    // A run that is not a dead letter of the flow is refused, and nothing changes.
    await expect(
      discardDeadLetters({ db: env.db, workspaceId, actor: harness.actor, flowId, runIds: [viaMapping.id] }),
    ).rejects.toThrow(/dead letter/);
  });
});
