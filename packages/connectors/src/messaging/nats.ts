// NATS: publish, request-reply, and JetStream publish acknowledged by its stream (deduplicated on retries).
import type { JetStreamPublishOptions } from "@nats-io/jetstream";
import type { MsgHdrs, NatsConnection } from "@nats-io/transport-node";
import { z } from "zod";
import { type ClientKind, connectionField, pingConnection, withClient } from "../connection-clients.ts";
import { defineConnectionType } from "../connections.ts";
import {
  type DeadLetterContext,
  defineAction,
  defineConnector,
  defineTrigger,
  headerList,
  StepFailure,
  type Subscription,
  text,
} from "../define.ts";
import { bodyOfPayload, payloadOf } from "../payload.ts";
import { placeResult, resultField } from "../result-field.ts";
import { deadLetterHeaders, openForSubscription, receivedHeader } from "../subscription-helpers.ts";

const natsConfig = z.object({
  host: z.string().trim().min(1, { message: "Enter the NATS server's host name." }).meta({ title: "Host" }),
  port: z.number().int().min(1).max(65535).default(4222).meta({ title: "Port" }),
  username: z.string().optional().meta({ title: "User name" }),
  password: z.string().optional().meta({ title: "Password", widget: "password" }),
  token: z.string().optional().meta({ title: "Token", widget: "password" }),
  tls: z.boolean().default(false).meta({ title: "TLS" }),
  timeoutSeconds: z.number().int().min(1).max(120).default(10).meta({ title: "Timeout (s)" }),
});
type NatsConfig = z.output<typeof natsConfig>;

const kind: ClientKind<NatsConfig, NatsConnection> = {
  type: "nats",
  service: "NATS",
  config: natsConfig,
  open: async (config, address) =>
    (await import("@nats-io/transport-node")).connect({
      servers: `${address}:${config.port}`,
      ...(config.username ? { user: config.username, pass: config.password ?? "" } : {}),
      ...(config.token ? { token: config.token } : {}),
      ...(config.tls ? { tls: {} } : {}),
      name: "tributary",
      timeout: config.timeoutSeconds * 1000,
      // Only the checked address: never the other servers a cluster announces.
      ignoreClusterUpdates: true,
      noRandomize: true,
      maxReconnectAttempts: -1,
    }),
  close: (client) => client.close(),
  ping: (client) => client.rtt(),
  alive: (client) => !client.isClosed(),
  describe(error, config) {
    const message = String((error as Error)?.message ?? "");
    const where = `NATS at ${config.host}:${config.port}`;
    if (/authorization violation|authentication/i.test(message)) return `${where} refused the credentials.`;
    if (/permissions violation/i.test(message)) return `${where} does not let this user do that: ${message}`;
    return null;
  },
};

const subject = () =>
  text()
    .pipe(
      z
        .string()
        .min(1, { message: "Name the subject." })
        .regex(/^[^\s*>]+$/, { message: "A subject to send to has no spaces or wildcards." }),
    )
    .meta({ title: "Subject" });
const payload = () =>
  z
    .unknown()
    .optional()
    .meta({ title: "Payload", description: "Empty: the message body (as JSON unless it is text).", widget: "json" });

async function natsMessage(config: { payload?: unknown; headers: { name: string; value: string }[] }, body: unknown) {
  const { bytes, contentType } = payloadOf(config.payload === undefined ? body : config.payload);
  const h = (await import("@nats-io/transport-node")).headers();
  h.set("content-type", contentType);
  for (const { name, value } of config.headers) h.append(name, value);
  return { bytes, headers: h };
}

const publishStep = defineAction({
  type: "nats.publish",
  example: { config: { subject: "orders.created" } },
  title: "NATS publish",
  description: "Publishes the body (or a payload) on a subject and waits until the server has it. The body passes on.",
  category: "Messaging",
  config: z.object({
    connectionId: connectionField(kind),
    subject: subject(),
    payload: payload(),
    headers: headerList().default([]).meta({ title: "Headers", widget: "keyValue" }),
  }),
  async run(context) {
    const { config, message } = context;
    const { bytes, headers } = await natsMessage(config, message.body);
    await withClient(kind, context, async (client) => {
      client.publish(config.subject, bytes, { headers });
      await client.flush();
    });
    return {};
  },
});

const requestStep = defineAction({
  type: "nats.request",
  example: { config: { subject: "pricing.quote", timeoutSeconds: 5, resultField: "quote" } },
  title: "NATS request",
  description: "Sends a request on a subject and waits for the first reply; the body becomes the reply (JSON parsed).",
  category: "Messaging",
  config: z.object({
    connectionId: connectionField(kind),
    subject: subject(),
    payload: payload(),
    headers: headerList().default([]).meta({ title: "Headers", widget: "keyValue" }),
    timeoutSeconds: z.number().min(0.1).max(300).default(10).meta({ title: "Wait for the reply (s)" }),
    resultField: resultField(),
  }),
  async run(context) {
    const { config, message } = context;
    const { bytes, headers } = await natsMessage(config, message.body);
    const reply = await withClient(kind, context, async (client) => {
      try {
        return await client.request(config.subject, bytes, { headers, timeout: config.timeoutSeconds * 1000 });
      } catch (error) {
        const text = String((error as Error)?.message ?? "");
        if (/no responders|503/i.test(text)) {
          throw new StepFailure(`Nobody answers requests on ${config.subject}.`, {
            transient: true,
            code: "no_responders",
          });
        }
        if (/timeout/i.test(text)) {
          throw new StepFailure(`No reply on ${config.subject} within ${config.timeoutSeconds} s.`, {
            transient: true,
            code: "timeout",
          });
        }
        throw error;
      }
    });
    return placeResult(config.resultField, message, bodyOfPayload(reply.data, reply.headers?.get("content-type")));
  },
});

/** Publishes to a subject a JetStream stream captures and resolves with the stream's acknowledgement. */
async function publishToStream(
  client: NatsConnection,
  {
    subject,
    bytes,
    timeoutMs,
    options,
  }: { subject: string; bytes: Uint8Array; timeoutMs: number; options: Partial<JetStreamPublishOptions> },
) {
  try {
    const { jetstream } = await import("@nats-io/jetstream");
    return await jetstream(client, { timeout: timeoutMs }).publish(subject, bytes, options);
  } catch (error) {
    if (/no responders|503|jetstream is not enabled/i.test(String((error as Error)?.message))) {
      throw new StepFailure(
        `No JetStream stream captures the subject ${subject} (or JetStream is off on the server).`,
        {
          code: "no_stream",
        },
      );
    }
    throw error;
  }
}

const jetStreamPublishStep = defineAction({
  type: "nats.jetstream-publish",
  example: { config: { subject: "orders.created", expectStream: "ORDERS" } },
  title: "NATS JetStream publish",
  description:
    "Publishes to a subject a JetStream stream captures and waits for the stream's acknowledgement. Retries of the step carry the same message id, so the stream keeps one copy. The body passes on (or the acknowledgement goes into a field).",
  category: "Messaging",
  config: z.object({
    connectionId: connectionField(kind),
    subject: subject(),
    payload: payload(),
    headers: headerList().default([]).meta({ title: "Headers", widget: "keyValue" }),
    expectStream: text()
      .pipe(z.string())
      .optional()
      .meta({ title: "Expect the stream", description: "Fail unless this stream takes it." }),
    resultField: resultField(),
  }),
  async run(context) {
    const { config, message, idempotencyKey } = context;
    const { bytes, headers } = await natsMessage(config, message.body);
    const ack = await withClient(kind, context, (client, connection) =>
      publishToStream(client, {
        subject: config.subject,
        bytes,
        timeoutMs: connection.timeoutSeconds * 1000,
        options: {
          headers,
          msgID: idempotencyKey,
          ...(config.expectStream ? { expect: { streamName: config.expectStream } } : {}),
        },
      }),
    );
    const result = { stream: ack.stream, sequence: ack.seq, duplicate: ack.duplicate };
    return config.resultField ? placeResult(config.resultField, message, result) : {};
  },
});

/** A received NATS message's headers, as message headers. */
function headersOf(subject: string, headers: { keys(): string[]; get(name: string): string } | undefined) {
  return [
    { name: "nats-subject", value: subject },
    ...(headers?.keys() ?? []).map((name) => ({
      name: `nats-header-${name.toLowerCase()}`,
      value: headers?.get(name) ?? "",
    })),
  ];
}

/** A subject to send a trigger's dead letters to; empty (the default) sends them nowhere. */
const deadLetterSubject = (description: string) =>
  z
    .string()
    .max(255)
    .regex(/^[^\s*>]*$/, { message: "A subject to send to has no spaces or wildcards." })
    .default("")
    .meta({ title: "Send dead letters to: subject", description });

/**
 * Sends a failed run's message to the trigger's dead-letter subject, with why it failed in its headers.
 * `publish` sends it on the open connection and waits until it is taken.
 */
async function sendDeadLetter(
  { connection, http, message, run }: Omit<DeadLetterContext<unknown>, "config">,
  source: Record<string, string>,
  publish: (
    client: NatsConnection,
    sent: { bytes: Uint8Array; headers: MsgHdrs; timeoutMs: number },
  ) => Promise<unknown>,
): Promise<true> {
  const { bytes, headers } = await natsMessage(
    {
      headers: Object.entries(deadLetterHeaders(run, source)).map(([name, value]) => ({ name, value })),
    },
    message.body,
  );
  const { client, settings } = await openForSubscription(kind, { connection, http });
  try {
    await publish(client, { bytes, headers, timeoutMs: settings.timeoutSeconds * 1000 });
    return true;
  } finally {
    await client.close();
  }
}

/** A consumer on its own connection: it ends when the connection closes (nats.js reconnects until it gives up). */
function subscriptionOf(client: NatsConnection): Subscription {
  let closing = false;
  return {
    ended: client.closed().then((error) => (closing ? null : (error ?? new Error("The NATS connection closed.")))),
    async close() {
      closing = true;
      await client.close();
    },
  };
}

const subscribeTrigger = defineTrigger({
  type: "nats.subscribe",
  example: { config: { subject: "orders.>" } },
  title: "NATS subject",
  description:
    "Starts a run for each message on a subject (wildcards * and > allowed). Core NATS keeps nothing: messages sent while no worker listens are not seen — use a JetStream consumer for that. A message whose run fails is a dead letter: kept on the flow's Dead letters page to replay or discard, and published to a dead-letter subject if you name one.",
  category: "Messaging",
  config: z.object({
    connectionId: connectionField(kind),
    subject: text()
      .pipe(z.string().min(1, { message: "Name the subject." }).regex(/^\S+$/, { message: "A subject has no spaces." }))
      .meta({ title: "Subject" }),
    deadLetterSubject: deadLetterSubject(
      "When a message's run fails, publish the message here too (with the error in the x-tributary-error header). Core NATS keeps it only if someone listens or a JetStream stream captures the subject. Empty: failed messages are only kept on the flow's Dead letters page.",
    ),
  }),
  async deadLetter({ config, message, ...context }) {
    if (!config.deadLetterSubject) return false;
    const source = { "x-tributary-subject": receivedHeader(message, "nats-subject") ?? config.subject };
    return sendDeadLetter({ message, ...context }, source, async (client, { bytes, headers }) => {
      client.publish(config.deadLetterSubject, bytes, { headers });
      await client.flush();
    });
  },
  async subscribe({ config, connection, http, deliver, log }) {
    const { client } = await openForSubscription(kind, { connection, http });
    client.subscribe(config.subject, {
      callback: (_error, received) => {
        deliver({
          body: bodyOfPayload(received.data, received.headers?.get("content-type")),
          headers: headersOf(received.subject, received.headers),
        }).catch((error: Error) =>
          log("error", `Could not start a run for a message on ${received.subject}: ${error.message}`),
        );
      },
    });
    return subscriptionOf(client);
  },
});

const jetStreamTrigger = defineTrigger({
  type: "nats.jetstream-consume",
  example: { config: { stream: "ORDERS", filterSubject: "orders.created" } },
  title: "NATS JetStream consumer",
  description:
    "Starts a run for each new message of a JetStream stream, through a durable consumer: a message is acknowledged once its run is committed, so messages sent while no worker listens, or left unacknowledged by a worker that stopped, are delivered later; none is run twice. A message whose run fails is a dead letter: kept on the flow's Dead letters page to replay or discard, and published through JetStream to a dead-letter subject if you name one.",
  category: "Messaging",
  config: z.object({
    connectionId: connectionField(kind),
    stream: z.string().min(1, { message: "Name the stream." }).max(255).meta({ title: "Stream" }),
    filterSubject: z
      .string()
      .max(255)
      .optional()
      .meta({ title: "Only subjects", description: "e.g. orders.created or orders.>" }),
    batch: z.number().int().min(1).max(1000).default(10).meta({ title: "Messages in flight at once" }),
    deadLetterSubject: deadLetterSubject(
      "When a message's run fails, publish the message here too through JetStream (with the error in the x-tributary-error header): a stream must capture this subject (not this trigger's own stream and filter, or it runs again). Empty: failed messages are only kept on the flow's Dead letters page.",
    ),
  }),
  async deadLetter({ config, message, ...context }) {
    if (!config.deadLetterSubject) return false;
    const source = {
      "x-tributary-stream": config.stream,
      "x-tributary-subject": receivedHeader(message, "nats-subject") ?? "",
      "x-tributary-stream-sequence": receivedHeader(message, "nats-stream-sequence") ?? "",
    };
    return sendDeadLetter({ message, ...context }, source, (client, { bytes, headers, timeoutMs }) =>
      // The run's id as the message id: the stream keeps one copy when sending is tried again.
      publishToStream(client, {
        subject: config.deadLetterSubject,
        bytes,
        timeoutMs,
        options: { headers, msgID: `dead-letter-${context.run.id}` },
      }),
    );
  },
  async subscribe({ config, connection, http, deliver, log, durableName }) {
    const { client } = await openForSubscription(kind, { connection, http });
    try {
      const { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } = await import("@nats-io/jetstream");
      const { nanos } = await import("@nats-io/transport-node");
      const manager = await jetstreamManager(client);
      const exists = await manager.consumers.info(config.stream, durableName).then(
        () => true,
        () => false,
      );
      if (!exists) {
        await manager.consumers.add(config.stream, {
          durable_name: durableName,
          ack_policy: AckPolicy.Explicit,
          // Unacknowledged messages (their worker stopped) go to the next holder after this long.
          ack_wait: nanos(10_000),
          // From the trigger's first start: messages already in the stream are not this trigger's.
          deliver_policy: DeliverPolicy.New,
          ...(config.filterSubject ? { filter_subject: config.filterSubject } : {}),
        });
      }
      const consumer = await jetstream(client).consumers.get(config.stream, durableName);
      const messages = await consumer.consume({ max_messages: config.batch });
      void (async () => {
        for await (const received of messages) {
          try {
            await deliver({
              body: bodyOfPayload(received.data, received.headers?.get("content-type")),
              headers: [
                ...headersOf(received.subject, received.headers),
                { name: "nats-stream-sequence", value: String(received.seq) },
              ],
              dedupeKey: `${config.stream}:${received.seq}`,
            });
            received.ack();
          } catch (error) {
            log(
              "error",
              `Could not start a run for message ${received.seq} of ${config.stream}: ${(error as Error).message}`,
            );
            received.nak(1000);
          }
        }
      })();
    } catch (error) {
      await client.close();
      const text = String((error as Error).message);
      throw new Error(/stream not found/i.test(text) ? `NATS has no JetStream stream "${config.stream}".` : text);
    }
    return subscriptionOf(client);
  },
});

export const natsConnector = defineConnector({
  id: "nats",
  title: "NATS",
  description:
    "Subjects and JetStream consumers as triggers; publish, request-reply and JetStream publish on a NATS server.",
  steps: [subscribeTrigger, jetStreamTrigger, publishStep, requestStep, jetStreamPublishStep],
  connectionTypes: [
    defineConnectionType({
      type: "nats",
      title: "NATS",
      description: "A NATS server (with JetStream, for the JetStream steps).",
      config: natsConfig,
      secretFields: ["password", "token"],
      test: ({ config, http }) => pingConnection(kind, { config, http }),
    }),
  ],
});
