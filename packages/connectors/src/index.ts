export {
  actionOf,
  CONNECTION_TYPES,
  CONNECTORS,
  DEAD_LETTER_SENDERS,
  DEAD_LETTER_TRIGGERS,
  type PaletteEntry,
  palette,
  STEP_DEFINITIONS,
  stepCatalog,
} from "./catalog.ts";
export { CODE_TEMPLATE } from "./code/code-step.ts";
export {
  type ConnectionTest,
  type ConnectionTypeDefinition,
  defineConnectionType,
  type HttpConnectionConfig,
  httpConnectionHeaders,
  httpConnectionUrl,
} from "./connections.ts";
export {
  type ActionContext,
  type ActionDefinition,
  type ActionResult,
  type ConnectorDefinition,
  type DeadLetterContext,
  type Delivered,
  type Delivery,
  defineAction,
  defineConnector,
  defineTrigger,
  type FlowCalls,
  type Resumption,
  type RunAnswer,
  type RunInfo,
  type StepDefinition,
  StepFailure,
  type StepLog,
  type SubscribeContext,
  type Subscription,
  type TopicFeed,
  type TopicPublisher,
  type TriggerDefinition,
} from "./define.ts";
export * from "./http-client/index.ts";
export { type ClientPools, createClientPools, poolKey } from "./pools.ts";
export { soapOperations } from "./soap/soap-connector.ts";
export type { SoapOperation } from "./soap/wsdl.ts";
export { WsdlError } from "./soap/wsdl-error.ts";
export { TOPIC_PUBLISH_STEP, TOPIC_TRIGGER } from "./topics/topics.ts";
export {
  MISSED_AFTER_MS,
  nextFireTimes,
  type RepeatOptions,
  repeatOptions,
  type Timing,
  timingProblem,
} from "./triggers/schedule-timing.ts";
export { pollTrigger, scheduleTrigger, webhookTrigger } from "./triggers/triggers.ts";
