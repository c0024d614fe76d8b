// Every step type this Tributary offers, for the engine (validation, planning), the worker (running) and the
// builder (palette, forms).
import { catalogOf, type StepCatalog } from "@tributary/engine";
import { z } from "zod";
import { codeConnector } from "./code/code-step.ts";
import type { ConnectionTypeDefinition } from "./connections.ts";
import { mysqlConnector, postgresConnector } from "./databases/databases.ts";
import type { ActionDefinition, ConnectorDefinition, StepDefinition } from "./define.ts";
import { toSpec } from "./define.ts";
import { ftpConnector, sftpConnector } from "./files/files.ts";
import { flowControlConnector } from "./flow-control/flow-control.ts";
import { flowsConnector } from "./flows/call-flow.ts";
import { formatsConnector } from "./formats/formats.ts";
import { hl7Connector } from "./hl7/hl7-connector.ts";
import { httpConnector } from "./http/http-request.ts";
import { presetsConnector } from "./http/presets.ts";
import { logConnector } from "./log/log-step.ts";
import { imapConnector } from "./mail/imap.ts";
import { smtpConnector } from "./mail/smtp.ts";
import { amqpConnector } from "./messaging/amqp.ts";
import { mqttConnector } from "./messaging/mqtt.ts";
import { natsConnector } from "./messaging/nats.ts";
import { redisConnector } from "./messaging/redis.ts";
import { respondConnector } from "./respond/respond.ts";
import { soapConnector } from "./soap/soap-connector.ts";
import { topicsConnector } from "./topics/topics.ts";
import { transformConnector } from "./transform/transform.ts";
import { triggersConnector } from "./triggers/triggers.ts";
import { xmlConnector } from "./xml/xml-steps.ts";

export const CONNECTORS: readonly ConnectorDefinition[] = [
  triggersConnector,
  transformConnector,
  formatsConnector,
  xmlConnector,
  flowControlConnector,
  httpConnector,
  respondConnector,
  codeConnector,
  flowsConnector,
  topicsConnector,
  logConnector,
  postgresConnector,
  mysqlConnector,
  redisConnector,
  amqpConnector,
  mqttConnector,
  natsConnector,
  hl7Connector,
  soapConnector,
  smtpConnector,
  imapConnector,
  sftpConnector,
  ftpConnector,
  presetsConnector,
];

export const CONNECTION_TYPES: ReadonlyMap<string, ConnectionTypeDefinition> = new Map(
  CONNECTORS.flatMap((connector) => connector.connectionTypes ?? []).map((type) => [type.type, type]),
);

export const STEP_DEFINITIONS: ReadonlyMap<string, StepDefinition> = new Map(
  CONNECTORS.flatMap((connector) => connector.steps).map((step) => [step.type, step]),
);

/**
 * The `trigger` of runs whose failures are dead letters: runs started by a message from a queue, stream or
 * table (subscription triggers) or a poll, whose source will not send it again. Listener triggers (HL7 MLLP)
 * answered their sender, who may send again; webhooks answered their caller.
 */
export const DEAD_LETTER_TRIGGERS: readonly string[] = [
  "poll",
  ...[...STEP_DEFINITIONS.values()]
    .filter((definition) => definition.kind === "trigger" && definition.subscribe && !definition.listens)
    .map((definition) => definition.type),
];

/** Trigger types that can send a failed run's message to a dead-letter destination named in their config. */
export const DEAD_LETTER_SENDERS: ReadonlySet<string> = new Set(
  [...STEP_DEFINITIONS.values()]
    .filter((definition) => definition.kind === "trigger" && definition.deadLetter)
    .map((definition) => definition.type),
);

export const stepCatalog: StepCatalog = catalogOf([...STEP_DEFINITIONS.values()].map(toSpec));

export function actionOf(type: string): ActionDefinition | undefined {
  const definition = STEP_DEFINITIONS.get(type);
  return definition?.kind === "action" ? definition : undefined;
}

export type PaletteEntry = {
  type: string;
  kind: "trigger" | "action";
  title: string;
  description: string;
  category: string;
  behavior?: string;
  /** JSON Schema of the config, with `title`, `description` and `widget` hints for the form. */
  configSchema: unknown;
  expressionFields: string[];
  /** Outputs for the default (or example) config; a switch's cases are the step's own. */
  outputs: string[];
};

/** The step types as the builder draws them. */
export function palette(): PaletteEntry[] {
  return [...STEP_DEFINITIONS.values()].map((definition) => {
    const spec = toSpec(definition);
    // Outputs for the default config, or for the example's where a field has no default (a branch's condition).
    const defaults = definition.config.safeParse({});
    const config = defaults.success ? defaults : definition.config.safeParse(definition.example.config);
    return {
      type: definition.type,
      kind: definition.kind,
      title: definition.title,
      description: definition.description,
      category: definition.category,
      ...(definition.behavior ? { behavior: definition.behavior } : {}),
      configSchema: z.toJSONSchema(definition.config, { io: "input", unrepresentable: "any" }),
      expressionFields: spec.expressionFields,
      outputs: config.success ? spec.outputs(config.data as Record<string, unknown>) : ["out"],
    };
  });
}
