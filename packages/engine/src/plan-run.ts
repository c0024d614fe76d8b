// The run planner: given a prepared flow and what a run has done so far, which step activations may run
// now. Pure and deterministic (same flow and state, same plan), so a run whose worker died resumes where it
// stopped. The worker calls it after every step (docs/flow-format.md, "How a run proceeds").
import { itemScope, loopDoneKey, shortHash } from "./activation-key.ts";
import { DEFAULT_OUTPUT, ERROR_OUTPUT, LOOP_DONE_OUTPUT, LOOP_ITEM_OUTPUT } from "./catalog.ts";
import { appendHeaders, type Message, STEP_HEADERS, withBody } from "./message.ts";
import type { PreparedFlow, PreparedStep } from "./prepare-flow.ts";
import type { RunRecords } from "./run-records.ts";

export type StepError = { message: string; code?: string };

/** One finished activation, as checkpointed. A failed activation routed to the "error" output has port "error". */
export type StepRecord = {
  key: string;
  stepId: string;
  status: "succeeded" | "failed" | "skipped";
  port: string | null;
  message: Message | null;
  error?: StepError | null;
};

export type RunState = {
  triggerStepId: string;
  input: Message;
  /** Finished activations, in the order they finished. */
  records: RunRecords;
  /** Activations executing now. */
  running?: ReadonlySet<string>;
};

export type Activation = { key: string; stepId: string; input: Message; scope: string };

export type RunPlan = {
  /** Activations to execute now. */
  ready: Activation[];
  /** Activations that need no execution (merges, loop results, disabled steps, skipped steps): record them and plan again. */
  synthetic: StepRecord[];
  status: "running" | "succeeded" | "failed";
  /** The run's result when it succeeded: the respond step's message if one ran, else the last step's. */
  output?: Message;
  /** The failure that ended the run. */
  failure?: { key: string; stepId: string; error: StepError };
};

type Emission = { key: string; port: string; message: Message };
type Delivery = { sourceKey: string | null; edgeIndex: number; message: Message };
type StepInfo = { done: boolean; emissions: Emission[] };
type ScopeResult = { done: boolean; failure?: RunPlan["failure"]; info: Map<string, StepInfo> };

const DEFAULT_LOOP_CONCURRENCY = 1;
const MAX_LOOP_CONCURRENCY = 100;

export function planRun(flow: PreparedFlow, state: RunState): RunPlan {
  const records = state.records;
  const running = state.running ?? new Set<string>();
  const plan: RunPlan = { ready: [], synthetic: [], status: "running" };
  const context = { flow, state, records, running, plan };

  const top = flow.order.filter((id) => flow.steps.get(id)?.loop === null);
  const result = planScope(context, { prefix: "", members: top, entry: null });
  if (result.failure) return { ready: [], synthetic: [], status: "failed", failure: result.failure };
  if (result.done && plan.ready.length === 0 && plan.synthetic.length === 0 && running.size === 0) {
    plan.status = "succeeded";
    const output = runOutput(flow, state.records.all);
    if (output) plan.output = output;
  }
  return plan;
}

type Context = {
  flow: PreparedFlow;
  state: RunState;
  records: RunRecords;
  running: ReadonlySet<string>;
  plan: RunPlan;
};

/** Where a scope's messages come from: the run's trigger at the top level, a loop item inside a loop. */
type Entry = { loopId: string; message: Message } | null;

function planScope(context: Context, scope: { prefix: string; members: string[]; entry: Entry }): ScopeResult {
  const { flow } = context;
  const info = new Map<string, StepInfo>();
  let scopeDone = true;
  for (const stepId of scope.members) {
    const step = flow.steps.get(stepId);
    if (!step) continue;
    const { deliveries, settled } = deliveriesTo(context, { step, scope, info });
    const result = planStep(context, { step, prefix: scope.prefix, deliveries, settled });
    if (result.failure) return { done: false, failure: result.failure, info };
    info.set(stepId, result.info);
    if (!result.info.done) scopeDone = false;
  }
  return { done: scopeDone, info };
}

function deliveriesTo(
  context: Context,
  { step, scope, info }: { step: PreparedStep; scope: { prefix: string; entry: Entry }; info: Map<string, StepInfo> },
): { deliveries: Delivery[]; settled: boolean } {
  const id = step.step.id;
  if (step.spec?.kind === "trigger" || step.incoming.length === 0) {
    // Only the trigger that fired receives the run's input; the others stay silent.
    const fired = scope.prefix === "" && id === context.state.triggerStepId;
    return {
      deliveries: fired ? [{ sourceKey: null, edgeIndex: -1, message: context.state.input }] : [],
      settled: true,
    };
  }
  const deliveries: Delivery[] = [];
  let settled = true;
  for (const edge of step.incoming) {
    if (scope.entry && edge.from === scope.entry.loopId && edge.output === LOOP_ITEM_OUTPUT) {
      deliveries.push({ sourceKey: null, edgeIndex: edge.index, message: scope.entry.message });
      continue;
    }
    const source = info.get(edge.from);
    if (!source) continue; // not in this scope: validation rejects such edges
    if (!source.done) settled = false;
    for (const emission of source.emissions) {
      if (emission.port === edge.output) {
        deliveries.push({ sourceKey: emission.key, edgeIndex: edge.index, message: emission.message });
      }
    }
  }
  return { deliveries, settled };
}

function activationKey({ prefix, step, delivery }: { prefix: string; step: PreparedStep; delivery: Delivery }): string {
  const id = step.step.id;
  const plainSource = delivery.sourceKey === null || !/[#/]/.test(delivery.sourceKey.slice(prefix.length));
  if (step.incoming.length <= 1 && plainSource) return `${prefix}${id}`;
  return `${prefix}${id}#${shortHash(`${delivery.sourceKey ?? ""}>${delivery.edgeIndex}`)}`;
}

type StepResult = { info: StepInfo; failure?: RunPlan["failure"] };

function planStep(
  context: Context,
  {
    step,
    prefix,
    deliveries,
    settled,
  }: { step: PreparedStep; prefix: string; deliveries: Delivery[]; settled: boolean },
): StepResult {
  const { records, running, plan } = context;
  const id = step.step.id;
  const emissions: Emission[] = [];
  let done = settled;

  if (step.spec?.behavior === "merge" && !step.step.disabled) {
    const key = `${prefix}${id}`;
    const record = records.get(key);
    if (record) return { info: { done: true, emissions: emissionsOf(record) } };
    if (!settled) return { info: { done: false, emissions } };
    plan.synthetic.push(
      deliveries.length === 0
        ? { key, stepId: id, status: "skipped", port: null, message: null }
        : { key, stepId: id, status: "succeeded", port: DEFAULT_OUTPUT, message: mergeMessages(context, deliveries) },
    );
    return { info: { done: false, emissions } };
  }

  if (settled && deliveries.length === 0) {
    const key = `${prefix}${id}`;
    if (!records.has(key) && step.spec?.kind !== "trigger") {
      plan.synthetic.push({ key, stepId: id, status: "skipped", port: null, message: null });
      done = false;
    }
    return { info: { done, emissions } };
  }

  for (const delivery of deliveries) {
    const key = activationKey({ prefix, step, delivery });
    const record = records.get(key);
    if (record) {
      if (record.status === "failed" && record.port !== ERROR_OUTPUT) {
        return {
          info: { done: false, emissions },
          failure: { key, stepId: id, error: record.error ?? { message: "The step failed." } },
        };
      }
      if (step.spec?.behavior === "loop" && record.status === "succeeded") {
        const loop = planLoop(context, { step, record });
        if (loop.failure) return { info: { done: false, emissions }, failure: loop.failure };
        if (loop.doneRecord) emissions.push(...emissionsOf(loop.doneRecord));
        else done = false;
        continue;
      }
      emissions.push(...emissionsOf(record));
      continue;
    }
    done = false;
    if (running.has(key)) continue;
    if (step.step.disabled) {
      plan.synthetic.push({ key, stepId: id, status: "succeeded", port: DEFAULT_OUTPUT, message: delivery.message });
      continue;
    }
    plan.ready.push({ key, stepId: id, input: delivery.message, scope: prefix });
  }
  return { info: { done, emissions } };
}

function emissionsOf(record: StepRecord): Emission[] {
  if (!record.port || !record.message || record.status === "skipped") return [];
  return [{ key: record.key, port: record.port, message: record.message }];
}

/**
 * A loop activation whose items were listed: plan the items' sub-paths; when all are through, its result.
 * Items start in order, so the started ones are a prefix of the list: planning looks only at the items from
 * the first unfinished one up to the last that may start now, and keeps the results of those before.
 */
function planLoop(
  context: Context,
  { step, record }: { step: PreparedStep; record: StepRecord },
): { doneRecord?: StepRecord; failure?: RunPlan["failure"] } {
  const { records, plan, flow } = context;
  const doneKey = loopDoneKey(record.key);
  const existing = records.get(doneKey);
  if (existing) return { doneRecord: existing };
  const items = Array.isArray(record.message?.body) ? (record.message?.body as unknown[]) : [];
  const members = step.subPath.filter((id) => flow.steps.get(id)?.loop === step.step.id);
  const concurrency = loopConcurrency(step);
  const progress = records.loopProgress(record.key);
  let inFlight = 0;
  for (let index = progress.firstOpen; index < items.length; index++) {
    const prefix = itemScope({ loopKey: record.key, index });
    if (inFlight >= concurrency && !startedIn(context, prefix)) return {};
    const message = appendHeaders(withBody(record.message as Message, items[index]), [
      { name: STEP_HEADERS.loopIndex, value: String(index), stepId: step.step.id },
    ]);
    const scope = planScope(context, { prefix, members, entry: { loopId: step.step.id, message } });
    if (scope.failure) return { failure: scope.failure };
    if (!scope.done) {
      inFlight++;
      continue;
    }
    if (index === progress.firstOpen) {
      const result = itemResult(step, scope.info);
      if (result !== undefined) progress.results.push(result);
      progress.firstOpen++;
    }
  }
  if (progress.firstOpen < items.length) return {};
  plan.synthetic.push({
    key: doneKey,
    stepId: step.step.id,
    status: "succeeded",
    port: LOOP_DONE_OUTPUT,
    message: withBody(record.message as Message, [...progress.results]),
  });
  return {};
}

function loopConcurrency(step: PreparedStep): number {
  const value = step.step.config.concurrency;
  if (typeof value !== "number" || !Number.isFinite(value)) return DEFAULT_LOOP_CONCURRENCY;
  return Math.min(Math.max(Math.floor(value), 1), MAX_LOOP_CONCURRENCY);
}

function startedIn(context: Context, prefix: string): boolean {
  if (context.records.scopeStarted(prefix)) return true;
  for (const key of context.running) if (key.startsWith(prefix)) return true;
  for (const activation of context.plan.ready) if (activation.key.startsWith(prefix)) return true;
  return false;
}

/** An item's result: the body its sub-path ended with (an array when several ends produced output). */
function itemResult(step: PreparedStep, info: Map<string, StepInfo>): unknown {
  const bodies = step.subPathEnds.flatMap((id) =>
    (info.get(id)?.emissions ?? []).filter((e) => e.port !== ERROR_OUTPUT).map((e) => e.message.body),
  );
  if (bodies.length === 0) return undefined;
  return bodies.length === 1 ? bodies[0] : bodies;
}

/** A merge's input: the bodies keyed by the step that delivered them (a list when one step delivered several). */
function mergeMessages(context: Context, deliveries: Delivery[]): Message {
  const byStep = new Map<string, unknown[]>();
  for (const delivery of deliveries) {
    const from = context.flow.graph.edges[delivery.edgeIndex]?.from ?? "input";
    byStep.set(from, [...(byStep.get(from) ?? []), delivery.message.body]);
  }
  const body = Object.fromEntries(
    [...byStep].map(([from, bodies]) => [from, bodies.length === 1 ? bodies[0] : bodies]),
  );
  return withBody(deliveries[0]?.message as Message, body);
}

function runOutput(flow: PreparedFlow, records: readonly StepRecord[]): Message | undefined {
  for (const record of records) {
    if (
      record.status === "succeeded" &&
      record.message &&
      flow.steps.get(record.stepId)?.spec?.behavior === "respond"
    ) {
      return record.message;
    }
  }
  for (let i = records.length - 1; i >= 0; i--) {
    const record = records[i];
    if (record && record.status !== "skipped" && record.message) return record.message;
  }
  return undefined;
}
