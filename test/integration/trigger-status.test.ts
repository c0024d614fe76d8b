// A subscription trigger's status as users see it: a queue consumer whose broker cannot be reached is retrying,
// then failing, with the broker's error and when; once its connection is fixed it is consuming; paused, it has
// no status. Against a real worker and RabbitMQ.
import { randomBytes } from "node:crypto";
import { saveConnection, setFlowStatus, type TriggerStatus, triggerStatuses } from "@tributary/core";
import { createSecretBox } from "@tributary/db";
import { connect as amqpConnect } from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useConnectorHarness } from "../support/connector-harness.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { freePort } from "../support/free-port.ts";
import { graph } from "../support/run-helpers.ts";
import { TEST_ENCRYPTION_KEY } from "../support/worker-process.ts";

const env = useTestEnvironment();
const harness = useConnectorHarness(env, { workerEnv: { SUBSCRIPTION_SYNC_MS: "300" } });
const queue = `trb-status-${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  const broker = await amqpConnect("amqp://guest:guest@127.0.0.1:5672");
  const channel = await broker.createChannel();
  await channel.assertQueue(queue, { durable: true });
  await broker.close();
});
afterAll(async () => {
  const broker = await amqpConnect("amqp://guest:guest@127.0.0.1:5672");
  const channel = await broker.createChannel();
  await channel.deleteQueue(queue).catch(() => undefined);
  await broker.close();
});

/** Polls the flow's trigger status until `until` holds. */
async function statusOf(flowId: string, until: (status: TriggerStatus | undefined) => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await triggerStatuses({ redis: env.redis, workspaceId: harness.workspaceId, flowIds: [flowId] });
    const status = statuses[flowId]?.[0];
    if (until(status)) return status;
    if (Date.now() > deadline) throw new Error(`The trigger status stayed ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("trigger status", () => {
  it("is retrying, then failing with the last error, then consuming once fixed, and gone once paused", async () => {
    const closedPort = await freePort();
    const name = "Broker";
    const connectionId = await harness.connect(
      "amqp",
      { host: "127.0.0.1", port: closedPort, username: "guest", password: "guest" },
      name,
    );
    const flowId = await harness.publish(
      graph(
        [
          ["orders", "amqp.consume", { connectionId, queue }],
          ["log", "util.log", { message: "got it" }],
        ],
        [["orders", "log"]],
      ),
    );

    const retrying = await statusOf(flowId, (status) => status?.state === "retrying");
    expect(retrying).toMatchObject({ stepId: "orders", failures: 1, lastError: expect.stringMatching(/\S/) });
    expect(Date.parse(retrying?.lastErrorAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
    const failing = await statusOf(flowId, (status) => status?.state === "failing");
    expect(failing?.failures).toBeGreaterThanOrEqual(3);
    expect(failing?.since).not.toBe(retrying?.since);

    await saveConnection({
      db: env.db,
      secretBox: createSecretBox({ currentKey: TEST_ENCRYPTION_KEY }),
      workspaceId: harness.workspaceId,
      actor: harness.actor,
      connectionId,
      name,
      type: "amqp",
      config: { host: "127.0.0.1", port: 5672, username: "guest", password: "guest" },
    });
    const consuming = await statusOf(flowId, (status) => status?.state === "consuming");
    expect(consuming).toMatchObject({ stepId: "orders", failures: 0 });

    await setFlowStatus({
      db: env.db,
      workspaceId: harness.workspaceId,
      actor: harness.actor,
      flowId,
      status: "paused",
    });
    await statusOf(flowId, (status) => status === undefined);
  });
});
