// MQTT: publish with QoS 0, 1 or 2 and the retain flag; the broker's acknowledgement is awaited for QoS 1 and 2.
import { randomBytes } from "node:crypto";
import type { MqttClient } from "mqtt";
import { z } from "zod";
import { type ClientKind, connectionField, failureOf, pingConnection, withClient } from "../connection-clients.ts";
import { defineConnectionType } from "../connections.ts";
import { defineAction, defineConnector, defineTrigger, headerList, text } from "../define.ts";
import { withTimeout } from "../network/network-failure.ts";
import { bodyOfPayload, payloadOf } from "../payload.ts";
import {
  deadLetterHeaders,
  headersFrom,
  openForSubscription,
  receivedHeader,
  subscriptionSettings,
} from "../subscription-helpers.ts";

const mqttConfig = z.object({
  host: z.string().trim().min(1, { message: "Enter the broker's host name." }).meta({ title: "Host" }),
  port: z.number().int().min(1).max(65535).default(1883).meta({ title: "Port", description: "8883 with TLS" }),
  username: z.string().optional().meta({ title: "User name" }),
  password: z.string().optional().meta({ title: "Password", widget: "password" }),
  tls: z.boolean().default(false).meta({ title: "TLS (mqtts)" }),
  protocolVersion: z.enum(["5", "3.1.1"]).default("5").meta({ title: "MQTT version" }),
  timeoutSeconds: z.number().int().min(1).max(120).default(10).meta({ title: "Timeout (s)" }),
});
type MqttConfig = z.output<typeof mqttConfig>;

const kind: ClientKind<MqttConfig, MqttClient> = {
  type: "mqtt",
  service: "MQTT broker",
  config: mqttConfig,
  open: async (config, address) =>
    (await import("mqtt")).connectAsync(
      `${config.tls ? "mqtts" : "mqtt"}://${address}:${config.port}`,
      {
        ...(config.username ? { username: config.username } : {}),
        ...(config.password ? { password: config.password } : {}),
        ...(config.tls ? { servername: config.host } : {}),
        protocolVersion: config.protocolVersion === "5" ? 5 : 4,
        clientId: `tributary-${randomBytes(6).toString("hex")}`,
        connectTimeout: config.timeoutSeconds * 1000,
        reconnectPeriod: 1000,
        clean: true,
      },
      false,
    ),
  close: (client) => client.endAsync(),
  ping: async (client) => client.connected,
  alive: (client) => !client.disconnecting && !client.disconnected,
  describe(error, config) {
    const message = String((error as Error)?.message ?? "");
    const where = `The MQTT broker at ${config.host}:${config.port}`;
    if (/not authori[sz]ed|bad user ?name or password|code 134|code 135|code 4|code 5\b/i.test(message)) {
      return `${where} refused the user name or password.`;
    }
    return null;
  },
};

/** Publishes and waits for the broker's acknowledgement (QoS 1 and 2); properties only on MQTT 5. */
function publish(
  client: MqttClient,
  connection: MqttConfig,
  {
    topic,
    bytes,
    qos,
    retain,
    contentType,
    userProperties,
  }: {
    topic: string;
    bytes: Buffer;
    qos: 0 | 1 | 2;
    retain: boolean;
    contentType: string;
    userProperties: Record<string, string>;
  },
) {
  return withTimeout(
    client.publishAsync(topic, bytes, {
      qos,
      retain,
      ...(connection.protocolVersion === "5"
        ? {
            properties: {
              contentType,
              // mqtt.js hangs on an empty userProperties object: send it only with something in it.
              ...(Object.keys(userProperties).length ? { userProperties } : {}),
            },
          }
        : {}),
    }),
    connection.timeoutSeconds * 1000,
    { service: kind.service, host: connection.host, port: connection.port },
  );
}

/** A topic to publish to: no wildcards. */
const noWildcards = (topic: string) => !/[#+]/.test(topic);

const publishStep = defineAction({
  type: "mqtt.publish",
  example: { config: { topic: "plant/{{ line }}/status", qos: 1, retain: true } },
  title: "MQTT publish",
  description:
    "Publishes the body (or a payload) to a topic with QoS 0, 1 or 2, optionally retained; waits for the broker's acknowledgement (QoS 1 and 2). The body passes on.",
  category: "Messaging",
  config: z.object({
    connectionId: connectionField(kind),
    topic: text()
      .pipe(
        z
          .string()
          .min(1, { message: "Name the topic." })
          .refine(noWildcards, { message: "A topic to publish to has no wildcards (+ or #)." }),
      )
      .meta({ title: "Topic" }),
    payload: z
      .unknown()
      .optional()
      .meta({ title: "Payload", description: "Empty: the message body (as JSON unless it is text).", widget: "json" }),
    qos: z
      .union([z.literal(0), z.literal(1), z.literal(2)])
      .default(1)
      .meta({ title: "QoS" }),
    retain: z.boolean().default(false).meta({ title: "Retain" }),
    userProperties: headerList().default([]).meta({ title: "User properties (MQTT 5)", widget: "keyValue" }),
  }),
  async run(context) {
    const { config, message } = context;
    const { bytes, contentType } = payloadOf(config.payload === undefined ? message.body : config.payload);
    await withClient(kind, context, (client, connection) =>
      publish(client, connection, {
        topic: config.topic,
        bytes,
        qos: config.qos,
        retain: config.retain,
        contentType,
        userProperties: Object.fromEntries(config.userProperties.map(({ name, value }) => [name, value])),
      }),
    );
    return {};
  },
});

const subscribeTrigger = defineTrigger({
  type: "mqtt.subscribe",
  example: { config: { topic: "plant/+/status", qos: 1 } },
  title: "MQTT topic",
  description:
    "Starts a run for each message on a topic filter (+ and # allowed), one at a time in order. With QoS 1 or 2 the broker keeps this trigger's session: messages sent while no worker listens are delivered later, and a message is acknowledged only once its run is committed. A message whose run fails is a dead letter: kept on the flow's Dead letters page to replay or discard, and published to a dead-letter topic if you name one.",
  category: "Messaging",
  config: z.object({
    connectionId: connectionField(kind),
    topic: text()
      .pipe(z.string().min(1, { message: "Name the topic filter." }))
      .meta({ title: "Topic filter" }),
    qos: z
      .union([z.literal(0), z.literal(1), z.literal(2)])
      .default(1)
      .meta({ title: "QoS" }),
    deadLetterTopic: z
      .string()
      .max(65535)
      .refine(noWildcards, { message: "A topic to publish to has no wildcards (+ or #)." })
      .default("")
      .meta({
        title: "Send dead letters to: topic",
        description:
          "When a message's run fails, publish the message here too, with QoS 1 (with MQTT 5, the error in the x-tributary-error user property; MQTT 3.1.1 has no properties, so only the message). Empty: failed messages are only kept on the flow's Dead letters page.",
      }),
  }),
  async deadLetter({ config, connection, http, message, run }) {
    if (!config.deadLetterTopic) return false;
    const { bytes, contentType } = payloadOf(message.body);
    const { client, settings } = await openForSubscription(kind, { connection, http });
    try {
      await publish(client, settings, {
        topic: config.deadLetterTopic,
        bytes,
        qos: 1,
        retain: false,
        contentType,
        userProperties: deadLetterHeaders(run, {
          "x-tributary-topic": receivedHeader(message, "mqtt-topic") ?? config.topic,
        }),
      });
      return true;
    } finally {
      await kind.close(client);
    }
  },
  async subscribe({ config, connection, http, deliver, durableName }) {
    const settings = subscriptionSettings(kind, connection);
    const { connect: mqttConnect } = await import("mqtt");
    const client = mqttConnect(
      `${settings.tls ? "mqtts" : "mqtt"}://${await http.resolve(settings.host)}:${settings.port}`,
      {
        ...(settings.username ? { username: settings.username } : {}),
        ...(settings.password ? { password: settings.password } : {}),
        ...(settings.tls ? { servername: settings.host } : {}),
        protocolVersion: settings.protocolVersion === "5" ? 5 : 4,
        // The same client id and a kept session: the broker holds QoS 1/2 messages while no worker listens.
        clientId: durableName,
        clean: config.qos === 0,
        ...(settings.protocolVersion === "5" && config.qos > 0
          ? { properties: { sessionExpiryInterval: 7 * 24 * 3600 } }
          : {}),
        connectTimeout: settings.timeoutSeconds * 1000,
        reconnectPeriod: 0,
      },
    );
    // Set before the connection opens: a kept session's messages arrive right after it does. Each is acknowledged
    // (and the next one taken) only once its run is committed; a failure drops the connection so the broker
    // offers the message again.
    client.handleMessage = (packet, done) => {
      deliver({
        body: bodyOfPayload(Buffer.from(packet.payload), packet.properties?.contentType),
        headers: [
          { name: "mqtt-topic", value: packet.topic },
          ...(packet.retain ? [{ name: "mqtt-retained", value: "true" }] : []),
          ...headersFrom(packet.properties?.userProperties, "mqtt-property-"),
        ],
      }).then(
        () => done(),
        () => client.end(true),
      );
    };
    try {
      await new Promise<void>((resolve, reject) => {
        client.once("connect", () => resolve());
        client.once("error", reject);
        client.once("close", () => reject(new Error("The MQTT broker closed the connection.")));
      });
    } catch (error) {
      client.end(true);
      throw failureOf(kind, settings, error);
    }
    let closing = false;
    const ended = new Promise<Error | null>((resolve) => {
      client.once("close", () => resolve(closing ? null : new Error("The MQTT connection closed.")));
    });
    await client.subscribeAsync(config.topic, { qos: config.qos });
    return {
      ended,
      async close() {
        closing = true;
        await client.endAsync();
      },
    };
  },
});

export const mqttConnector = defineConnector({
  id: "mqtt",
  title: "MQTT",
  description: "Subscribe to topics and publish to an MQTT broker with QoS 0, 1 or 2 and retain.",
  steps: [subscribeTrigger, publishStep],
  connectionTypes: [
    defineConnectionType({
      type: "mqtt",
      title: "MQTT broker",
      description: "An MQTT 3.1.1 or 5 broker, such as Mosquitto.",
      config: mqttConfig,
      secretFields: ["password"],
      test: ({ config, http }) => pingConnection(kind, { config, http }),
    }),
  ],
});
