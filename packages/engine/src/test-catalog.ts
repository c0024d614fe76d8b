// A small catalog of step types for the engine's own tests, and a driver that runs a flow to the end by
// "executing" ready activations with plain functions, as the worker would.
import { z } from "zod";
import { catalogOf, type StepTypeSpec } from "./catalog.ts";
import type { FlowGraph } from "./flow-graph.ts";
import { appendHeaders, createMessage, type Message, withBody } from "./message.ts";
import { planRun, type StepRecord } from "./plan-run.ts";
import { prepareFlow } from "./prepare-flow.ts";
import { RunRecords } from "./run-records.ts";

const spec = (partial: Partial<StepTypeSpec> & Pick<StepTypeSpec, "type">): StepTypeSpec => ({
  kind: "action",
  title: partial.type,
  description: "",
  category: "test",
  config: z.object({}).passthrough(),
  outputs: () => ["out"],
  ...partial,
});

export const testCatalog = catalogOf([
  spec({ type: "manual", kind: "trigger" }),
  spec({ type: "webhook", kind: "trigger", config: z.object({ path: z.string().min(1) }) }),
  spec({ type: "add", config: z.object({ amount: z.number() }) }),
  spec({ type: "tag", config: z.object({ label: z.string() }).passthrough() }),
  spec({ type: "fail" }),
  spec({ type: "branch", config: z.object({ when: z.string() }), outputs: () => ["true", "false"] }),
  spec({ type: "merge", behavior: "merge" }),
  spec({
    type: "loop",
    behavior: "loop",
    config: z.object({ concurrency: z.number().optional() }).passthrough(),
    outputs: () => ["item", "done"],
  }),
  spec({ type: "respond", behavior: "respond" }),
]);

type Executor = (input: Message, config: Record<string, unknown>) => { port: string; body: unknown } | Error;

export const executors: Record<string, Executor> = {
  manual: (input) => ({ port: "out", body: input.body }),
  webhook: (input) => ({ port: "out", body: input.body }),
  add: (input, config) => ({ port: "out", body: (input.body as number) + (config.amount as number) }),
  tag: (input, config) => ({ port: "out", body: { ...(input.body as object), [String(config.label)]: true } }),
  fail: () => new Error("boom"),
  branch: (input, config) => ({
    port: (input.body as Record<string, unknown>)[String(config.when)] ? "true" : "false",
    body: input.body,
  }),
  loop: (input) => ({ port: "item", body: input.body }),
  respond: (input) => ({ port: "out", body: { answered: input.body } }),
};

export function graphOf(
  steps: [string, string, Record<string, unknown>?][],
  edges: [string, string, string?][],
): FlowGraph {
  return {
    version: 1,
    steps: steps.map(([id, type, config]) => ({ id, type, config: config ?? {} })),
    edges: edges.map(([from, to, output]) => ({ from, to, output: output ?? "out" })),
  };
}

/** Runs a flow to the end, executing `parallel` ready activations per round; returns records and the end plan. */
export function drive({
  graph,
  body,
  trigger = "start",
  crashAfter,
  records: initial = [],
  onRound,
}: {
  graph: FlowGraph;
  body: unknown;
  trigger?: string;
  crashAfter?: number;
  records?: StepRecord[];
  onRound?: (ready: string[]) => void;
}) {
  const flow = prepareFlow({ graph, catalog: testCatalog });
  const input = createMessage({ id: "msg-1", body });
  const book = new RunRecords(initial);
  const records = () => [...book.all];
  for (let round = 0; round < 1_000; round++) {
    const plan = planRun(flow, { triggerStepId: trigger, input, records: book });
    for (const record of plan.synthetic) book.add(record);
    if (plan.synthetic.length) continue;
    if (plan.status !== "running") return { plan, records: records() };
    onRound?.(plan.ready.map((a) => a.key));
    for (const activation of plan.ready) {
      if (crashAfter !== undefined && book.size >= crashAfter) return { plan, records: records(), crashed: true };
      const step = flow.steps.get(activation.stepId);
      const result = executors[step?.step.type ?? ""]?.(activation.input, step?.step.config ?? {});
      if (!result) throw new Error(`no executor for ${activation.stepId}`);
      if (result instanceof Error) {
        const routed = (step?.outgoing.get("error") ?? []).length > 0;
        const message = appendHeaders(
          withBody(activation.input, { error: result.message, input: activation.input.body }),
          [{ name: "x-tributary-step-error", value: result.message }],
        );
        book.add({
          key: activation.key,
          stepId: activation.stepId,
          status: "failed",
          port: routed ? "error" : null,
          message,
          error: { message: result.message },
        });
      } else {
        book.add({
          key: activation.key,
          stepId: activation.stepId,
          status: "succeeded",
          port: result.port,
          message: withBody(activation.input, result.body),
        });
      }
    }
  }
  throw new Error("run did not end");
}
