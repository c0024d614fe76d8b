// How a step type is declared: its config schema (the builder draws forms from it, the worker validates with
// it), its outputs, a description, and one `run`. Connectors reach the outside only through what `run` is
// given (the guarded HTTP client, the sandbox, other flows), never the database.
import type { Message, MessageHeader, ReferenceField, StepBehavior, StepTypeSpec } from "@tributary/engine";
import type { CodeLimits, Sandbox } from "@tributary/sandbox";
import { z } from "zod";
import type { ConnectionTypeDefinition } from "./connections.ts";
import type { GuardedHttpClient } from "./http-client/index.ts";
import type { ClientPools } from "./pools.ts";

export type RunInfo = {
  id: string;
  flowId: string;
  workspaceId: string;
  stepId: string;
  /** The activation's key in the run (see the planner), for idempotency keys and logs. */
  activationKey: string;
  attempt: number;
  isTest: boolean;
};

export type StepLog = (level: "debug" | "info" | "warn" | "error", message: string) => void;

/** Where the run parked this activation before, if it did: a delay's end, a called flow's run. */
export type Resumption = { until?: string; childRunId?: string } | null;

export type FlowCalls = {
  /** Starts a run of another flow of the workspace (once per activation) and tells how it stands. */
  call(options: {
    flowId: string;
    message: Message;
    stepKey: string;
  }): Promise<
    | { status: "running"; runId: string }
    | { status: "succeeded"; runId: string; output: Message }
    | { status: "failed"; runId: string; error: string }
  >;
};

/** Publishes to the workspace's topics; `key` names the message, so a repeated publish is the same message. */
export type TopicPublisher = {
  publish(options: {
    topic: string;
    body: unknown;
    headers: MessageHeader[];
    key: string;
  }): Promise<{ messageId: string; subscribers: number; duplicate: boolean }>;
};

/** The messages a topic trigger has yet to take, oldest first, kept in Postgres until settled. */
export type TopicFeed = {
  pending(limit: number): Promise<{ messageId: string; body: unknown; headers: MessageHeader[]; publishedAt: Date }[]>;
  /** Removes deliveries whose runs are committed. */
  settle(messageIds: string[]): Promise<void>;
  /** Counts a failed try (shown on the topics page); the message waits to be tried again. */
  failed(messageId: string, error: string): Promise<void>;
  /** Which of these runs have ended, for subscribers that keep order per key. */
  ended(runIds: string[]): Promise<Set<string>>;
};

export type ActionContext<Config> = {
  config: Config;
  message: Message;
  run: RunInfo;
  http: GuardedHttpClient;
  log: StepLog;
  signal: AbortSignal;
  /** `runId:activationKey`: the same for every try of this activation. */
  idempotencyKey: string;
  resumption: Resumption;
  /** Evaluates a JSONata expression against the step's input (same bindings as `{{ }}` in config). */
  evaluate(expression: string, field: string): Promise<unknown>;
  sandbox: Sandbox;
  /** Compiled code of this step (code steps), from the flow version. */
  compiled: { code: string; sourceMap: string } | null;
  codeLimits: Partial<CodeLimits>;
  secrets: Record<string, string>;
  flows: FlowCalls;
  topics: TopicPublisher;
  /** The connection named by the step's `connectionId`, with its secret fields opened. */
  connection: { id: string; type: string; config: Record<string, unknown> } | null;
  /** Open clients of connections (database pools, broker links), shared across runs in this worker. */
  pools: ClientPools;
};

export type ActionResult =
  /** Emits on `output` ("out" if omitted; null emits nothing). The body defaults to the input's. */
  | {
      output?: string | null;
      body?: unknown;
      headers?: MessageHeader[];
      respond?: { status: number; headers: Record<string, string> };
    }
  /** Leaves the worker: the run waits in Postgres and is woken later (a delay's end, a called flow's end). */
  | { park: { until: Date } | { childRunId: string } };

/**
 * A text config field. Where the whole value is one {{ expression }}, the expression's result keeps its type;
 * a text field turns numbers and booleans into their text and objects into JSON instead of refusing them.
 */
export function text() {
  return z.preprocess(
    (value) =>
      value === null || value === undefined || typeof value === "string"
        ? value
        : typeof value === "object"
          ? JSON.stringify(value)
          : String(value),
    z.string(),
  );
}

/** A list of header names and values, e.g. for an HTTP request or a response. */
export function headerList() {
  return z.array(z.object({ name: text().pipe(z.string().min(1).max(200)), value: text().pipe(z.string().max(8192)) }));
}

export class StepFailure extends Error {
  readonly transient: boolean;
  readonly code: string;
  constructor(
    message: string,
    { transient = false, code = "step_failed" }: { transient?: boolean; code?: string } = {},
  ) {
    super(message);
    this.name = "StepFailure";
    this.transient = transient;
    this.code = code;
  }
}

/** A use of a step, for docs/connectors.md: its config, and the body it takes and gives where that helps. */
export type StepExample = { config: Record<string, unknown>; input?: unknown; output?: unknown };

type Common<Schema extends z.ZodType> = {
  type: string;
  title: string;
  description: string;
  category: string;
  config: Schema;
  example: StepExample;
  /** Config fields holding raw JSONata (not `{{ }}` templates): validated as expressions, not rendered. */
  expressionFields?: string[];
  behavior?: StepBehavior;
};

/**
 * What running a step does beyond its own result. "none": nothing outside the run (transform, branch, code,
 * respond…), so redoing it after a crash changes nothing, and such steps are committed together with whatever
 * comes next. "external": it reaches or changes something outside (an HTTP call, a database write, a message
 * sent), so it is checkpointed before the next step runs and a resumed run never repeats it.
 */
export type StepEffects = "none" | "external";

export type ActionDefinition<Schema extends z.ZodType = z.ZodType> = Common<Schema> & {
  kind: "action";
  effects: StepEffects;
  /**
   * Needs what only a worker has: the code sandbox ("sandbox"), or time to wait in ("time": the step parks the
   * run). A webhook's flow of steps without effects and without this runs as the web process takes the call in
   * (packages/runner/src/run-inline.ts); a worker runs a new run whole in memory unless a step waits.
   */
  needsWorker?: "sandbox" | "time";
  /** Its outputs for a config as stored, which may not be valid yet (a draft being edited): read it with care. */
  outputs: (config: Partial<z.output<Schema>>) => string[];
  run(context: ActionContext<z.output<Schema>>): Promise<ActionResult>;
};

/** A message a subscription trigger received, for a run. `dedupeKey` names it at its source (a message id). */
export type Delivery = { body: unknown; headers?: MessageHeader[]; dedupeKey?: string };

/** The run a delivery was committed as; `duplicate` when its dedupe key had started one already. */
export type Delivered = { runId: string; duplicate: boolean };

/**
 * What a run answered, for a listener whose caller waits (an MLLP sender waiting for its ACK): the answer a
 * respond-like step set, or how the run ended, or "pending" when it did not within the time given.
 */
export type RunAnswer =
  | { status: "answered"; httpStatus: number; body: unknown }
  | { status: "succeeded"; body: unknown }
  | { status: "failed"; error: string }
  | { status: "pending" };

export type SubscribeContext<Config> = {
  config: Config;
  connection: { id: string; type: string; config: Record<string, unknown> } | null;
  http: GuardedHttpClient;
  /** Commits a run for the message; resolves once it is in Postgres, so the source may be acked then. */
  deliver(delivery: Delivery): Promise<Delivered>;
  /** Waits up to `timeoutMs` for a delivered run's answer (listener triggers whose callers wait). */
  awaitAnswer(options: { runId: string; timeoutMs: number }): Promise<RunAnswer>;
  /** Listener triggers: where to listen (a port from the worker's range), or null when none is free. */
  listen: { host: string; port: number } | null;
  /** Listener triggers: whether the trigger's security rules (IP allow-lists) let a peer in. */
  admit(peer: { address: string }): Promise<boolean>;
  log: StepLog;
  /** A name that stays the same for this trigger across workers and restarts (consumer groups, durables). */
  durableName: string;
  /** Where a polling trigger has read up to, kept across workers and restarts. */
  cursor: { load(): Promise<string | null>; save(value: string): Promise<void> };
  /** Topic triggers: the messages waiting for this trigger. */
  topic: TopicFeed;
};

/** A live consumer. `ended` resolves when it stops on its own (the broker went away), with the reason. */
export type Subscription = { ended: Promise<Error | null>; close(): Promise<void> };

export type TriggerDefinition<Schema extends z.ZodType = z.ZodType> = Common<Schema> & {
  kind: "trigger";
  /** Subscription triggers: a long-lived consumer that a worker holds while the flow is active. */
  subscribe?: (context: SubscribeContext<z.output<Schema>>) => Promise<Subscription>;
  /** Listener triggers (subscriptions that accept connections): the holding worker gives each a port. */
  listens?: boolean;
  /**
   * Queue triggers with a "send dead letters to" setting: sends the message of a run that failed there.
   * Resolves false when the trigger's config names no destination; throws (to be tried again) when sending fails.
   */
  deadLetter?: (context: DeadLetterContext<z.output<Schema>>) => Promise<boolean>;
};

/** A failed run's message, to send to the trigger's dead-letter destination. */
export type DeadLetterContext<Config> = Pick<SubscribeContext<Config>, "config" | "connection" | "http"> & {
  message: { id: string; body: unknown; headers: MessageHeader[] };
  run: { id: string; flowId: string; error: string; failedAt: Date };
};

export type StepDefinition = ActionDefinition | TriggerDefinition;

export function defineAction<Schema extends z.ZodType>(
  definition: Omit<ActionDefinition<Schema>, "kind" | "outputs" | "effects"> & {
    outputs?: ActionDefinition<Schema>["outputs"];
    /** Default "external": a step is taken to reach outside unless it says it does not. */
    effects?: StepEffects;
  },
): ActionDefinition {
  return { kind: "action", outputs: () => ["out"], effects: "external", ...definition } as unknown as ActionDefinition;
}

export function defineTrigger<Schema extends z.ZodType>(
  definition: Omit<TriggerDefinition<Schema>, "kind">,
): TriggerDefinition {
  return { kind: "trigger", ...definition } as unknown as TriggerDefinition;
}

export type ConnectorDefinition = {
  id: string;
  title: string;
  description: string;
  steps: StepDefinition[];
  /** The kinds of connection its steps use, if any. */
  connectionTypes?: ConnectionTypeDefinition[];
};

export function defineConnector(definition: ConnectorDefinition): ConnectorDefinition {
  return definition;
}

/** What the engine needs of a step definition. */
const REFERENCE_WIDGETS: Record<string, Pick<ReferenceField, "kind" | "many">> = {
  connection: { kind: "connection", many: false },
  flow: { kind: "flow", many: false },
  securityRules: { kind: "securityRule", many: true },
  secrets: { kind: "secret", many: true },
};

const referenceCache = new WeakMap<StepDefinition, ReferenceField[]>();

/** The config fields whose widget picks something of the workspace: what a flow file names by name. */
function referenceFields(definition: StepDefinition): ReferenceField[] {
  let fields = referenceCache.get(definition);
  if (!fields) {
    const schema = z.toJSONSchema(definition.config, { io: "input", unrepresentable: "any" }) as {
      properties?: Record<string, { widget?: unknown }>;
    };
    fields = Object.entries(schema.properties ?? {}).flatMap(([field, property]) => {
      const reference = typeof property.widget === "string" ? REFERENCE_WIDGETS[property.widget] : undefined;
      return reference ? [{ field, ...reference }] : [];
    });
    referenceCache.set(definition, fields);
  }
  return fields;
}

export function toSpec(definition: StepDefinition): StepTypeSpec & { expressionFields: string[] } {
  return {
    references: referenceFields(definition),
    type: definition.type,
    kind: definition.kind,
    title: definition.title,
    description: definition.description,
    category: definition.category,
    config: definition.config,
    outputs: definition.kind === "action" ? (config) => definition.outputs(config) : () => ["out"],
    expressionFields: definition.expressionFields ?? [],
    ...(definition.behavior ? { behavior: definition.behavior } : {}),
  };
}
