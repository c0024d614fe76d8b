// AMQP 0-9-1 (RabbitMQ): publish with routing key, headers and persistence, confirmed by the broker.
import { randomUUID } from "node:crypto";
import type { Message as AmqpMessage, ChannelModel, ConfirmChannel } from "amqplib";
import { z } from "zod";
import { type ClientKind, connectionField, failureOf, pingConnection, withClient } from "../connection-clients.ts";
import { defineConnectionType } from "../connections.ts";
import { defineAction, defineConnector, defineTrigger, headerList, StepFailure, text } from "../define.ts";
import { withTimeout } from "../network/network-failure.ts";
import { bodyOfPayload, payloadOf } from "../payload.ts";
import {
  deadLetterHeaders,
  headersFrom,
  pause,
  receivedHeader,
  subscriptionSettings,
} from "../subscription-helpers.ts";

const amqpConfig = z.object({
  host: z.string().trim().min(1, { message: "Enter the broker's host name." }).meta({ title: "Host" }),
  port: z.number().int().min(1).max(65535).default(5672).meta({ title: "Port", description: "5671 with TLS" }),
  vhost: z.string().default("/").meta({ title: "Virtual host" }),
  username: z.string().min(1).default("guest").meta({ title: "User name" }),
  password: z.string().optional().meta({ title: "Password", widget: "password" }),
  tls: z.boolean().default(false).meta({ title: "TLS (amqps)" }),
  timeoutSeconds: z.number().int().min(1).max(120).default(10).meta({ title: "Timeout (s)" }),
});
type AmqpConfig = z.output<typeof amqpConfig>;

/** A connection with one confirm channel; `failure` keeps why the broker closed them, for the step's error. */
type AmqpClient = { model: ChannelModel; channel: ConfirmChannel; open: boolean; failure: Error | null };

/** A connection with its confirm channel, named so the broker's admin can tell what it is. */
async function connectAmqp(config: AmqpConfig, address: string, name: string): Promise<AmqpClient> {
  const { connect } = await import("amqplib");
  const model = await connect(
    {
      protocol: config.tls ? "amqps" : "amqp",
      hostname: address,
      port: config.port,
      username: config.username,
      password: config.password ?? "",
      vhost: config.vhost,
      heartbeat: 30,
    },
    { timeout: config.timeoutSeconds * 1000, servername: config.host, clientProperties: { connection_name: name } },
  );
  const client: AmqpClient = { model, channel: await model.createConfirmChannel(), open: true, failure: null };
  const broken = (error?: Error) => {
    client.open = false;
    if (error) client.failure = error;
  };
  model.on("error", broken);
  model.on("close", broken);
  client.channel.on("error", broken);
  client.channel.on("close", () => broken());
  return client;
}

const kind: ClientKind<AmqpConfig, AmqpClient> = {
  type: "amqp",
  service: "RabbitMQ (AMQP)",
  config: amqpConfig,
  open: (config, address) => connectAmqp(config, address, "tributary publisher"),
  close: async (client) => {
    await client.model.close().catch(() => undefined);
  },
  ping: async (client) => client.channel.checkExchange("amq.direct"),
  alive: (client) => client.open,
  describe(error, config) {
    const message = String((error as Error)?.message ?? "");
    const where = `RabbitMQ at ${config.host}:${config.port}`;
    if (/ACCESS_REFUSED|ACCESS-REFUSED|403/.test(message) && /login|auth|PLAIN/i.test(message)) {
      return `${where} refused the user name or password.`;
    }
    if (/NOT_ALLOWED.*vhost|vhost .* not found/i.test(message))
      return `${where} has no virtual host ${config.vhost} for this user.`;
    if (/NOT_FOUND - no exchange/.test(message))
      return `RabbitMQ: ${message.replace(/^.*NOT_FOUND - /, "").replace(/"$/, "")}.`;
    return null;
  },
};

/** Publishes and waits for the broker's confirm; a message no queue took (mandatory) fails the step. */
async function publish(
  client: AmqpClient,
  config: AmqpConfig,
  { exchange, routingKey, bytes, options }: { exchange: string; routingKey: string; bytes: Buffer; options: object },
): Promise<void> {
  const publishId = randomUUID();
  let returned = false;
  const onReturn = (message: AmqpMessage) => {
    if (message.properties.headers?.["x-tributary-publish-id"] === publishId) returned = true;
  };
  client.channel.on("return", onReturn);
  try {
    const confirmed = new Promise<void>((resolve, reject) => {
      client.channel.publish(
        exchange,
        routingKey,
        bytes,
        {
          ...options,
          mandatory: true,
          headers: { ...(options as { headers?: object }).headers, "x-tributary-publish-id": publishId },
        },
        (error: unknown) => (error ? reject(client.failure ?? error) : resolve()),
      );
    });
    await withTimeout(confirmed, config.timeoutSeconds * 1000, {
      service: kind.service,
      host: config.host,
      port: config.port,
    });
  } catch (error) {
    throw client.failure ?? error;
  } finally {
    client.channel.off("return", onReturn);
  }
  if (returned) {
    throw new StepFailure(
      `No queue took the message: nothing is bound to ${exchange ? `exchange "${exchange}"` : "the default exchange"} with routing key "${routingKey}".`,
      { code: "unroutable" },
    );
  }
}

const publishStep = defineAction({
  type: "amqp.publish",
  example: {
    config: {
      exchange: "orders",
      routingKey: "order.{{ country }}",
      persistent: true,
      headers: [{ name: "x-order-id", value: "{{ id }}" }],
    },
  },
  title: "RabbitMQ publish",
  description:
    "Publishes the body (or a payload) to an exchange with a routing key; waits for the broker to confirm it. A message that no queue takes fails the step. The body passes on.",
  category: "Messaging",
  config: z.object({
    connectionId: connectionField(kind),
    exchange: text().pipe(z.string().max(255)).default("").meta({
      title: "Exchange",
      description: "Empty: the default exchange, where the routing key is a queue's name.",
    }),
    routingKey: text().pipe(z.string().max(255)).default("").meta({ title: "Routing key" }),
    payload: z
      .unknown()
      .optional()
      .meta({ title: "Payload", description: "Empty: the message body (as JSON unless it is text).", widget: "json" }),
    headers: headerList().default([]).meta({ title: "Headers", widget: "keyValue" }),
    persistent: z.boolean().default(true).meta({ title: "Persistent (survives a broker restart)" }),
  }),
  async run(context) {
    const { config, message } = context;
    const { bytes, contentType } = payloadOf(config.payload === undefined ? message.body : config.payload);
    await withClient(kind, context, (client, connection) =>
      publish(client, connection, {
        exchange: config.exchange,
        routingKey: config.routingKey,
        bytes,
        options: {
          persistent: config.persistent,
          contentType,
          messageId: message.id,
          timestamp: Math.floor(Date.now() / 1000),
          headers: Object.fromEntries(config.headers.map(({ name, value }) => [name, value])),
        },
      }),
    );
    return {};
  },
});

const consumeTrigger = defineTrigger({
  type: "amqp.consume",
  example: { config: { queue: "orders", prefetch: 10 }, input: { id: "A-1", total: 42 } },
  title: "RabbitMQ queue",
  description:
    "Starts a run for each message on a queue. A message is acknowledged only once its run is committed, so none is lost when a worker stops; one the publisher gave a message id is not run twice. One worker consumes at a time. A message whose run fails is a dead letter: kept on the flow's Dead letters page to replay or discard, and published to a dead-letter exchange or queue if you name one.",
  category: "Messaging",
  config: z.object({
    connectionId: connectionField(kind),
    queue: z.string().min(1, { message: "Name the queue." }).max(255).meta({ title: "Queue" }),
    prefetch: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(10)
      .meta({ title: "Messages in flight at once", description: "1 keeps the queue's order; more is faster." }),
    deadLetterExchange: z.string().max(255).default("").meta({
      title: "Send dead letters to: exchange",
      description:
        "When a message's run fails, publish the message here too (with the error in x-tributary-error). Empty: the default exchange, where the routing key below is a queue's name.",
    }),
    deadLetterRoutingKey: z.string().max(255).default("").meta({
      title: "Send dead letters to: routing key (or queue)",
      description: "Empty, with no exchange either: failed messages are only kept on the flow's Dead letters page.",
    }),
  }),
  async deadLetter({ config, connection, http, message, run }) {
    if (!config.deadLetterExchange && !config.deadLetterRoutingKey) return false;
    const settings = subscriptionSettings(kind, connection);
    let client: AmqpClient;
    try {
      client = await connectAmqp(settings, await http.resolve(settings.host), "tributary dead letters");
    } catch (error) {
      throw failureOf(kind, settings, error);
    }
    try {
      const { bytes, contentType } = payloadOf(message.body);
      await publish(client, settings, {
        exchange: config.deadLetterExchange,
        routingKey: config.deadLetterRoutingKey,
        bytes,
        options: {
          persistent: true,
          contentType,
          messageId: receivedHeader(message, "amqp-message-id") ?? message.id,
          timestamp: Math.floor(run.failedAt.getTime() / 1000),
          headers: deadLetterHeaders(run, { "x-tributary-queue": config.queue }),
        },
      });
      return true;
    } finally {
      await kind.close(client);
    }
  },
  async subscribe({ config, connection, http, deliver, log, durableName }) {
    const settings = subscriptionSettings(kind, connection);
    let client: AmqpClient;
    try {
      client = await connectAmqp(settings, await http.resolve(settings.host), `tributary consumer ${durableName}`);
    } catch (error) {
      throw failureOf(kind, settings, error);
    }
    let closing = false;
    const ended = new Promise<Error | null>((resolve) => {
      client.model.on("close", (error?: Error) =>
        resolve(closing ? null : (error ?? new Error("The broker closed the connection."))),
      );
    });
    try {
      await client.channel.checkQueue(config.queue);
    } catch (error) {
      await kind.close(client);
      throw new Error(
        `RabbitMQ at ${settings.host}:${settings.port} has no queue "${config.queue}" (${(error as Error).message}).`,
      );
    }
    await client.channel.prefetch(config.prefetch);
    await client.channel.consume(
      config.queue,
      (received) => {
        // The broker cancelled the consumer (its queue was deleted): end, to be started again.
        if (!received) return void kind.close(client);
        const { content, fields, properties } = received;
        deliver({
          body: bodyOfPayload(content, properties.contentType),
          headers: [
            { name: "amqp-exchange", value: fields.exchange },
            { name: "amqp-routing-key", value: fields.routingKey },
            ...(properties.messageId ? [{ name: "amqp-message-id", value: String(properties.messageId) }] : []),
            ...headersFrom(properties.headers, "amqp-header-"),
          ],
          ...(properties.messageId ? { dedupeKey: String(properties.messageId) } : {}),
        }).then(
          () => client.channel.ack(received),
          async (error: unknown) => {
            log("error", `Could not start a run for a message from ${config.queue}: ${(error as Error).message}`);
            await pause(1000); // then the broker offers it again
            client.channel.nack(received, false, true);
          },
        );
      },
      { noAck: false },
    );
    return {
      ended,
      async close() {
        closing = true;
        await kind.close(client);
      },
    };
  },
});

export const amqpConnector = defineConnector({
  id: "amqp",
  title: "RabbitMQ (AMQP)",
  description: "Consume queues and publish to RabbitMQ and other AMQP 0-9-1 brokers, with publisher confirms.",
  steps: [consumeTrigger, publishStep],
  connectionTypes: [
    defineConnectionType({
      type: "amqp",
      title: "RabbitMQ (AMQP)",
      description: "An AMQP 0-9-1 broker such as RabbitMQ.",
      config: amqpConfig,
      secretFields: ["password"],
      test: ({ config, http }) => pingConnection(kind, { config, http }),
    }),
  ],
});
