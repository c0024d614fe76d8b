// HL7 v2 over MLLP, as hospital systems exchange it: a listener that starts a run per message and answers
// each with an ACK, a step that sends a message and waits for its ACK, and a step that writes the ACK a
// waiting sender gets.
import { z } from "zod";
import { type ClientKind, connectionField, pingConnection, withClient } from "../connection-clients.ts";
import { defineConnectionType } from "../connections.ts";
import { defineAction, defineConnector, defineTrigger, StepFailure, text } from "../define.ts";
import { Hl7Error, type Hl7Message, parseHl7, serializeHl7 } from "../formats/hl7.ts";
import { placeResult, resultField } from "../result-field.ts";
import { ACK_CODES, buildAck, controlId, ERROR_CODES, fieldText, mshFromHeaders, readAck } from "./hl7-ack.ts";
import { type MllpClient, type MllpConnectionConfig, mllpConnectionConfig, openMllpClient } from "./mllp-client.ts";
import { listenMllp } from "./mllp-listener.ts";
import { type TlsListenerConfig, tlsListenerConfig, tlsListenerConnection } from "./tls-listener.ts";

const kind: ClientKind<MllpConnectionConfig, MllpClient> = {
  type: "mllp",
  service: "The MLLP receiver",
  config: mllpConnectionConfig,
  open: openMllpClient,
  close: (client) => client.close(),
  // MLLP has no no-op message: a connection that opens (and shakes hands, with TLS) is the proof.
  ping: async () => undefined,
  alive: (client) => client.alive(),
  describe: () => null,
};

const invalid = (message: string) => new StepFailure(message, { code: "invalid_input" });

/** The message to send, parsed (to read and, if missing, set its control id), from HL7 text or segments. */
function outgoingMessage(source: unknown): Hl7Message {
  try {
    if (typeof source === "string") return parseHl7(source);
    if (source && typeof source === "object" && Array.isArray((source as Hl7Message).segments)) {
      serializeHl7(source as Hl7Message);
      return structuredClone(source as Hl7Message);
    }
  } catch (error) {
    if (error instanceof Hl7Error) throw invalid(`The message is not HL7 v2: ${error.message}`);
    throw error;
  }
  throw invalid("The message must be HL7 v2 text, or segments as the HL7 step parses them.");
}

export const mllpSend = defineAction({
  type: "hl7.mllp-send",
  example: { config: { resultField: "ack" } },
  title: "HL7 MLLP send",
  description:
    "Sends an HL7 v2 message over MLLP on a kept connection and waits for its ACK. AA (or CA) passes the body on; AE fails the step with the receiver's error text; AR fails it as worth retrying: the step's retry policy sends it again, with the same control id. A message without a control id (MSH-10) gets one that stays the same on retries.",
  category: "HL7",
  config: z.object({
    connectionId: connectionField(kind),
    message: z.unknown().optional().meta({
      title: "Message",
      description: "Empty: the body — HL7 text, or segments as the HL7 step parses them.",
      widget: "json",
    }),
    ackTimeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(600)
      .optional()
      .meta({ title: "Wait for the ACK (s)", description: "Empty: the connection's setting." }),
    resultField: resultField().meta({
      title: "Put the ACK in field",
      description: "Its code, control id, text and the ACK itself; empty: the body passes on unchanged.",
    }),
  }),
  async run(context) {
    const { config, message, idempotencyKey } = context;
    const hl7 = outgoingMessage(config.message === undefined ? message.body : config.message);
    const msh = hl7.segments[0];
    if (msh?.name !== "MSH") throw invalid("The message must start with an MSH segment.");
    while (msh.fields.length <= 10) msh.fields.push("");
    if (!fieldText(msh.fields[10])) msh.fields[10] = controlId(idempotencyKey);
    const sentId = fieldText(msh.fields[10]);
    const { answer, encoding } = await withClient(kind, context, async (client, settings) => ({
      answer: await client.send(
        Buffer.from(serializeHl7(hl7), settings.encoding),
        (config.ackTimeoutSeconds ?? settings.ackTimeoutSeconds) * 1000,
      ),
      encoding: settings.encoding,
    }));
    const raw = answer.toString(encoding);
    const ack = readAck(raw);
    if (!ack) {
      throw new StepFailure(`The receiver answered with something that is not an HL7 ACK: ${raw.slice(0, 200)}`, {
        code: "bad_ack",
      });
    }
    if (ack.controlId && ack.controlId !== sentId) {
      throw new StepFailure(`The receiver acknowledged control id ${ack.controlId}, not ${sentId} (the one sent).`, {
        code: "bad_ack",
      });
    }
    const said = [ack.text, ...ack.errors].filter(Boolean).join("; ") || "no reason given";
    if (ack.code === "AE" || ack.code === "CE") {
      throw new StepFailure(`The receiver answered ${ack.code} (error) for ${sentId}: ${said}`, { code: "hl7_error" });
    }
    if (ack.code === "AR" || ack.code === "CR") {
      throw new StepFailure(`The receiver answered ${ack.code} (rejected) for ${sentId}: ${said}`, {
        transient: true,
        code: "hl7_rejected",
      });
    }
    const headers = [
      { name: "hl7-ack-code", value: ack.code },
      { name: "hl7-ack-control-id", value: sentId },
    ];
    const result = { code: ack.code, controlId: sentId, text: ack.text, ack: raw };
    return config.resultField ? { ...placeResult(config.resultField, message, result), headers } : { headers };
  },
});

export const mllpListener = defineTrigger({
  type: "hl7.mllp-listener",
  example: { config: { acknowledge: "committed", bodyAs: "parsed" } },
  title: "HL7 MLLP listener",
  description:
    "Listens for HL7 v2 messages over MLLP on a port Tributary assigns from the operator's range (shown once the flow is published), with TLS and client certificates if a TLS certificate is chosen. One run per message; each sender gets an ACK: AA as soon as the run is committed, or — when it waits for the flow — the flow's own answer (an HL7 ACK step), AA when it succeeds, AE with the error when it fails. AR when the message cannot be taken (not HL7, too large, not stored): send it again.",
  category: "HL7",
  listens: true,
  config: z.object({
    connectionId: z.uuid().optional().meta({
      title: "TLS certificate",
      description:
        "None: plain TCP. A TLS listener certificate connection: TLS, with client certificates if it names a CA.",
      widget: "connection",
      connectionType: "tls-listener",
    }),
    acknowledge: z.enum(["committed", "flow"]).default("committed").meta({
      title: "Acknowledge",
      description:
        "committed: AA once the run is stored; flow: wait for the flow's answer (an HL7 ACK step) or its end.",
    }),
    timeoutSeconds: z.number().int().min(1).max(300).default(30).meta({
      title: "Wait for the flow (s)",
      description: "When waiting for the flow: after this, AE (the run goes on).",
    }),
    bodyAs: z.enum(["parsed", "text"]).default("parsed").meta({
      title: "Body",
      description: "parsed: segments as the HL7 step gives them; text: the message as received.",
    }),
    encoding: z.enum(["utf-8", "latin1"]).default("utf-8").meta({ title: "Character encoding" }),
    dedupe: z.boolean().default(true).meta({
      title: "Recognise resent messages",
      description:
        "A message whose sending application, facility and control id (MSH-3, -4, -10) came within 24 hours starts no second run; it gets the first one's ACK.",
    }),
    maxMessageKiB: z.number().int().min(1).max(16_384).default(1024).meta({ title: "Largest message (KiB)" }),
    securityRuleIds: z.array(z.uuid()).default([]).meta({
      title: "Security rules",
      description: "IP allow-list rules: connections from other addresses are closed.",
      widget: "securityRules",
    }),
  }),
  async subscribe({ config, connection, listen, deliver, awaitAnswer, admit, log }) {
    if (!listen) {
      throw new Error("No port is free for this listener: every port of the workers' LISTENER_PORTS range is taken.");
    }
    if (connection && connection.type !== "tls-listener") {
      throw new Error("The TLS certificate chosen is not a TLS listener certificate connection.");
    }
    const tls: TlsListenerConfig | null = connection ? tlsListenerConfig.parse(connection.config) : null;
    return listenMllp({
      ...listen,
      tls,
      acknowledge: config.acknowledge,
      timeoutMs: config.timeoutSeconds * 1000,
      bodyAs: config.bodyAs,
      encoding: config.encoding,
      dedupe: config.dedupe,
      maxBytes: config.maxMessageKiB * 1024,
      deliver,
      awaitAnswer,
      admit,
      log,
    });
  },
});

export const hl7Ack = defineAction({
  type: "hl7.ack",
  example: { config: { code: "AE", text: "Unknown patient {{ patientId }}", errorCode: "204" } },
  title: "HL7 ACK",
  description:
    "Sets the ACK the MLLP sender waits for (a listener that waits for the flow): AA, AE or AR for the message the run started with, with a text and an HL7 error code. The flow may go on after it.",
  category: "HL7",
  behavior: "respond",
  config: z.object({
    code: z.enum(ACK_CODES).default("AA").meta({ title: "Code", description: "AA accept, AE error, AR reject." }),
    text: text().pipe(z.string().max(1000)).optional().meta({ title: "Text", description: "MSA-3 and ERR-8." }),
    errorCode: z
      .enum(Object.keys(ERROR_CODES) as [string, ...string[]])
      .optional()
      .meta({ title: "Error code (HL7 table 0357)", description: "e.g. 207 application internal error" }),
  }),
  async run({ config, message }) {
    const ack = buildAck({
      inbound: mshFromHeaders(message.headers),
      code: config.code,
      ...(config.text ? { text: config.text } : {}),
      ...(config.errorCode ? { errorCode: config.errorCode } : {}),
    });
    const status = config.code === "AA" || config.code === "CA" ? 200 : config.code.endsWith("E") ? 422 : 400;
    return { body: ack, respond: { status, headers: { "content-type": "x-application/hl7-v2+er7" } } };
  },
});

export const hl7Connector = defineConnector({
  id: "hl7",
  title: "HL7 v2 over MLLP",
  description: "Receive HL7 v2 messages on an MLLP port and answer them with ACKs; send them and wait for ACKs.",
  steps: [mllpListener, mllpSend, hl7Ack],
  connectionTypes: [
    defineConnectionType({
      type: "mllp",
      title: "HL7 MLLP receiver",
      description: "A system that takes HL7 v2 messages over MLLP (TCP or TLS), for the MLLP send step.",
      config: mllpConnectionConfig,
      secretFields: ["clientKey"],
      test: ({ config, http }) => pingConnection(kind, { config, http }),
    }),
    tlsListenerConnection,
  ],
});
