// One activation of one step: render its config, validate it, run it with its retry policy, and turn the
// outcome into a checkpoint (or a park). Secrets are redacted from everything that is stored.
import {
  type ActionContext,
  type ClientPools,
  CONNECTION_TYPES,
  type FlowCalls,
  type GuardedHttpClient,
  isTransient,
  STEP_DEFINITIONS,
  StepFailure,
  type TopicPublisher,
} from "@tributary/connectors";
import { AppError, type Checkpoint, type Park, type RunResponse, type RunToExecute } from "@tributary/core";
import {
  type Activation,
  appendHeaders,
  ERROR_OUTPUT,
  ExpressionError,
  type ExpressionScope,
  evaluateExpression,
  firstProblem,
  type Message,
  type PreparedFlow,
  type RunRecords,
  redactSecrets,
  renderTemplate,
  STEP_HEADERS,
  type StepRecord,
  stepOutputs,
  traceHeaders,
  withBody,
} from "@tributary/engine";
import type { CodeLimits, Sandbox } from "@tributary/sandbox";
import { backoffMs, NO_RETRY, shouldRetry } from "./retry-policy.ts";

export type StepServices = {
  /** Opens the connection a step names (cached per run). */
  connection(connectionId: string): Promise<{ id: string; type: string; config: Record<string, unknown> }>;
  http: GuardedHttpClient;
  pools: ClientPools;
  sandbox: Sandbox;
  flows: FlowCalls;
  topics: TopicPublisher;
  secrets: Record<string, string>;
  compiled: Record<string, { code: string; sourceMap: string }>;
  codeLimits: Partial<CodeLimits>;
  /** Retry back-offs up to this long are waited in the worker; longer ones park the run. */
  parkBackoffsOverMs: number;
};

export type StepOutcome =
  | { kind: "done"; checkpoint: Checkpoint; response?: RunResponse }
  | { kind: "park"; park: Park };

const MAX_LOG_LINES = 500;
/** Log lines a parked step keeps for its checkpoint: the last few, as they ride in the run's row meanwhile. */
const MAX_PARKED_LOG_LINES = 20;

export async function executeStep({
  activation,
  flow,
  run,
  records,
  resumed,
  services,
  signal,
}: {
  activation: Activation;
  flow: PreparedFlow;
  run: Pick<RunToExecute, "id" | "flowId" | "workspaceId" | "isTest" | "trigger" | "limits">;
  records: RunRecords;
  /** Where this activation parked before, when the run resumes it. */
  resumed: Park | undefined;
  services: StepServices;
  signal: AbortSignal;
}): Promise<StepOutcome> {
  const prepared = flow.steps.get(activation.stepId);
  const definition = prepared ? STEP_DEFINITIONS.get(prepared.step.type) : undefined;
  const secretValues = Object.values(services.secrets);
  // A resumed activation started when it first ran: a delay's step lasts as long as its wait.
  const startedAt = resumed?.since ? new Date(resumed.since) : new Date();
  const since = startedAt.toISOString();
  const logs: Checkpoint["logs"] = [...(resumed?.logs ?? [])];
  const log = (level: string, message: string) => {
    if (logs.length < MAX_LOG_LINES)
      logs.push({ level, message: message.slice(0, 8_192), at: new Date().toISOString() });
  };
  let attempt = resumed?.attempt ?? 1;

  const stepHeaders = (finishedAt: Date) => traceHeaders({ stepId: activation.stepId, startedAt, finishedAt, attempt });
  // A checkpoint ends when its trace headers say it did: its stored output keeps only a flag for them, and they
  // are made again from the row's times (packStepMessages).
  const checkpoint = (
    fields: Pick<Checkpoint, "status" | "port" | "message" | "finishedAt"> & { error?: Checkpoint["error"] },
  ): Checkpoint =>
    redactSecrets(
      {
        key: activation.key,
        stepId: activation.stepId,
        stepType: prepared?.step.type ?? "unknown",
        input: activation.input,
        logs,
        attempt,
        startedAt,
        error: null,
        ...fields,
      },
      secretValues,
    );
  /** A park, with when the activation started and its log so far, redacted as a checkpoint is. */
  const parked = (park: Omit<Park, "since" | "logs">): StepOutcome => ({
    kind: "park",
    park: {
      ...park,
      since,
      ...(logs.length ? { logs: redactSecrets(logs.slice(-MAX_PARKED_LOG_LINES), secretValues) } : {}),
    },
  });
  const fail = (error: { message: string; code?: string }): StepOutcome => {
    const finishedAt = new Date();
    const routed = (prepared?.outgoing.get(ERROR_OUTPUT) ?? []).length > 0;
    const message = appendHeaders(
      withBody(activation.input, { error: { ...error, stepId: activation.stepId }, input: activation.input.body }),
      [
        ...stepHeaders(finishedAt),
        { name: STEP_HEADERS.error, value: error.message.slice(0, 1_000), stepId: activation.stepId },
      ],
    );
    return {
      kind: "done",
      checkpoint: checkpoint({ status: "failed", port: routed ? ERROR_OUTPUT : null, message, error, finishedAt }),
    };
  };

  if (!prepared || !definition)
    return fail({ message: `Unknown step type "${prepared?.step.type}".`, code: "unknown_step_type" });
  if (definition.kind === "trigger") {
    const finishedAt = new Date();
    return {
      kind: "done",
      checkpoint: checkpoint({
        status: "succeeded",
        port: "out",
        message: appendHeaders(activation.input, stepHeaders(finishedAt)),
        finishedAt,
      }),
    };
  }

  const scope: ExpressionScope = {
    message: activation.input,
    steps: stepOutputs({ records, scope: activation.scope }),
    secrets: services.secrets,
    run: {
      id: run.id,
      flowId: run.flowId,
      workspaceId: run.workspaceId,
      isTest: run.isTest,
      trigger: run.trigger,
      stepId: activation.stepId,
    },
  };
  let config: unknown;
  try {
    const raw = new Set(definition.expressionFields ?? []);
    const rendered: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(prepared.step.config)) {
      rendered[field] = raw.has(field) ? value : await renderTemplate({ value, scope, path: field });
    }
    const parsed = definition.config.safeParse(rendered);
    if (!parsed.success) {
      return fail({
        message: `Invalid configuration: ${firstProblem(parsed.error, definition.config).message}`,
        code: "invalid_config",
      });
    }
    config = parsed.data;
  } catch (error) {
    if (error instanceof ExpressionError) return fail({ message: error.message, code: "expression_failed" });
    throw error;
  }

  const connectionId = (config as { connectionId?: unknown }).connectionId;
  let connection: Awaited<ReturnType<StepServices["connection"]>> | null = null;
  if (typeof connectionId === "string") {
    try {
      connection = await services.connection(connectionId);
      const opened = connection;
      for (const field of CONNECTION_TYPES.get(opened.type)?.secretFields ?? []) {
        const value = opened.config[field];
        if (typeof value === "string") secretValues.push(value);
      }
    } catch (error) {
      if (error instanceof AppError && error.code === "NOT_FOUND") {
        return fail({ message: "The step's connection was deleted; choose another.", code: "connection_missing" });
      }
      return fail({
        message: `The step's connection could not be opened: ${(error as Error).message}`,
        code: "connection_unavailable",
      });
    }
  }
  const policy = prepared.step.retry ?? NO_RETRY;
  for (;;) {
    const context: ActionContext<unknown> = {
      config,
      message: activation.input,
      run: {
        id: run.id,
        flowId: run.flowId,
        workspaceId: run.workspaceId,
        stepId: activation.stepId,
        activationKey: activation.key,
        attempt,
        isTest: run.isTest,
      },
      http: services.http,
      log,
      signal,
      idempotencyKey: `${run.id}:${activation.key}`,
      resumption: resumed
        ? {
            ...(resumed.until ? { until: resumed.until } : {}),
            ...(resumed.childRunId ? { childRunId: resumed.childRunId } : {}),
          }
        : null,
      evaluate: (expression, field) => evaluateExpression({ source: expression, scope, field }),
      sandbox: services.sandbox,
      compiled: services.compiled[activation.stepId] ?? null,
      codeLimits: services.codeLimits,
      secrets: services.secrets,
      flows: services.flows,
      topics: services.topics,
      connection,
      pools: services.pools,
    };
    try {
      const result = await definition.run(context);
      if ("park" in result) {
        return "until" in result.park
          ? parked({ attempt, until: result.park.until.toISOString() })
          : parked({ attempt, childRunId: result.park.childRunId });
      }
      const finishedAt = new Date();
      const body = result.body === undefined ? activation.input.body : result.body;
      const message: Message = appendHeaders(withBody(activation.input, body), [
        ...stepHeaders(finishedAt),
        ...(result.headers ?? []).map((h) => ({ name: h.name, value: h.value, stepId: activation.stepId })),
      ]);
      const size = Buffer.byteLength(JSON.stringify(body) ?? "");
      if (size > run.limits.maxMessageBytes) {
        return fail({
          message: `The step's output is ${size} bytes; this workspace's plan allows ${run.limits.maxMessageBytes}.`,
          code: "output_too_large",
        });
      }
      const done = checkpoint({
        status: "succeeded",
        port: result.output === undefined ? "out" : result.output,
        message,
        finishedAt,
      });
      return result.respond
        ? { kind: "done", checkpoint: done, response: { ...result.respond, body: done.message?.body } }
        : { kind: "done", checkpoint: done };
    } catch (error) {
      const transient = error instanceof StepFailure ? error.transient : isTransient(error);
      const message = error instanceof Error ? error.message : String(error);
      const code =
        error instanceof StepFailure
          ? error.code
          : error instanceof ExpressionError
            ? "expression_failed"
            : "step_failed";
      if (shouldRetry({ policy, attempt, transient })) {
        const wait = backoffMs({ policy, attempt });
        log("warn", `Attempt ${attempt} failed (${message}); trying again in ${wait} ms.`);
        if (wait > services.parkBackoffsOverMs) {
          return parked({ attempt: attempt + 1, until: new Date(Date.now() + wait).toISOString() });
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
        attempt++;
        continue;
      }
      return fail({ message, code });
    }
  }
}

/**
 * Takes in the activations the planner decided without running them (branches not taken): adds them to the
 * run's records and returns their checkpoints.
 */
export function recordSynthetic(flow: PreparedFlow, records: RunRecords, synthetic: StepRecord[]): Checkpoint[] {
  const now = new Date();
  return synthetic.map((record) => {
    records.add(record);
    const stepType = flow.steps.get(record.stepId)?.step.type ?? "unknown";
    return { ...record, stepType, input: null, logs: [], attempt: 1, startedAt: now, finishedAt: now };
  });
}
