// Webhooks of quick flows run as the web process takes the call in. A flow whose steps have no outside
// effects and need nothing only a worker has (no code sandbox, no waiting) — validate, transform, branch,
// respond — runs here in memory, and is stored whole (the run, every step with its input and output, the
// flow statistics) in one group-committed transaction before the caller hears back: a sync caller gets the
// flow's answer, an async one its 202. No queue, no pickup, no event back: one database round trip per run.
//
// What does not end cleanly within a moment (a step fails, retries or parks; the run takes longer than
// INLINE_BUDGET_MS) is not kept: the call is taken in the usual way and a worker runs it from its start. Its
// steps had no effects, so running them again changes nothing. So too with a call's idempotency key: a key
// seen before sends the call the usual way at once (which answers with the first run, or refuses another body),
// and a run whose key another call claimed meanwhile is not stored, its call then taken in the usual way.
import {
  createFinishedRunStore,
  createKeyLookup,
  type Db,
  type FinishedRun,
  type RunResponse,
  type SecretBox,
} from "@tributary/core";
import type { Message } from "@tributary/engine";
import type { RunEndedHook } from "./alert-hook.ts";
import type { StepServices } from "./execute-step.ts";
import { createPreparedFlows } from "./prepared-flows.ts";
import { runInMemory } from "./run-in-memory.ts";
import { createSecretsCache } from "./secrets-cache.ts";

/** Longer than this and the run goes to a worker: the web process's event loop is for taking calls in. */
const INLINE_BUDGET_MS = 50;
/** Quick steps are not cancelled: the budget bounds them. */
const NEVER = new AbortController().signal;

export type InlineCall = {
  runId: string;
  workspaceId: string;
  flowId: string;
  versionId: string;
  triggerStepId: string;
  message: Message;
  secretsVersion: number;
  limits: { maxMessageBytes: number; runTimeoutSeconds: number };
  /** The call's idempotency key and a hash of its body. */
  idempotency: { key: string; bodyHash: string } | null;
};

/** The answer of a run that ran and was stored; null: run it the usual way. */
export type InlineAnswer = { response: RunResponse | null; output: Message | null; error: null };

export type InlineRuns = { run(call: InlineCall): Promise<InlineAnswer | null> };

export function createInlineRuns({
  db,
  secretBox,
  alerts,
  onRunEnded,
}: {
  db: Db;
  secretBox: SecretBox;
  /** Queues the alert evaluation of every run stored, as the worker does for its runs. */
  alerts: RunEndedHook;
  /** Told of every run stored (the web process counts it in its metrics). */
  onRunEnded?: (run: FinishedRun & { workspaceId: string }) => void;
}): InlineRuns {
  const preparedFlows = createPreparedFlows({ db });
  const secrets = createSecretsCache({ db, secretBox });
  const store = createFinishedRunStore({ db });
  const seen = createKeyLookup({ db });

  return {
    async run(call) {
      const { workspaceId, flowId, triggerStepId, idempotency } = call;
      const { flow, fit } = await preparedFlows({ workspaceId, versionId: call.versionId });
      if (!fit.quick) return null;
      const services = inlineServices(await secrets({ workspaceId, version: call.secretsVersion }));
      // The key is looked up while the run runs, not before it: the run has no effects, and one whose call was
      // seen before is let go.
      const [seenBefore, ran] = await Promise.all([
        idempotency ? seen(workspaceId, { flowId, triggerStepId, key: idempotency.key }) : false,
        runInMemory({
          run: {
            ...call,
            trigger: "webhook",
            // Code steps never run here.
            limits: { ...call.limits, codeMemoryMb: 0, codeCpuMs: 0, codeWallMs: 0 },
          },
          flow,
          services,
          deadline: Date.now() + INLINE_BUDGET_MS,
          signal: NEVER,
        }),
      ]);
      if (seenBefore || !ran) return null;
      const stored = await store(workspaceId, {
        ...ran,
        idempotency: idempotency && { ...idempotency, dropOnClash: true },
      });
      if (!stored) return null;
      alerts({ id: ran.runId, workspaceId, flowId: ran.flowId }, ran.result);
      onRunEnded?.({ ...ran, workspaceId });
      return { response: ran.response, output: ran.result.output, error: null };
    },
  };
}

/** Stands in for what only a worker has: any use of it throws, so the step fails and the run goes to a worker. */
const workerOnly = new Proxy(
  {},
  {
    get() {
      throw new Error("Only a worker can do this; the run goes to one.");
    },
  },
);

/** What quick steps may use: the workspace's secrets. Everything else is a worker's, and refused here. */
function inlineServices(secrets: Record<string, string>): StepServices {
  return {
    connection: () => Promise.reject(new Error("Only a worker opens connections; the run goes to one.")),
    http: workerOnly as StepServices["http"],
    pools: workerOnly as StepServices["pools"],
    sandbox: workerOnly as StepServices["sandbox"],
    flows: workerOnly as StepServices["flows"],
    topics: workerOnly as StepServices["topics"],
    secrets,
    compiled: {},
    codeLimits: {},
    // Any back-off parks, and a park sends the run to a worker.
    parkBackoffsOverMs: 0,
  };
}
