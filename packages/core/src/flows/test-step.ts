// Tests one step of the draft with the message it would get, without running the rest of the flow. The run is
// an ordinary test run of a flow made of that step alone, fed by a manual trigger, so the worker executes it
// exactly as in a full run: the same sandbox, the same guarded outbound client, connections and secrets.
// Other steps' pinned outputs are copied in as finished steps, so `$steps.<id>` means in the test what it
// means in a run.
import { STEP_DEFINITIONS } from "@tributary/connectors";
import { type Db, scoped } from "@tributary/db";
import { type FlowGraph, type FlowStep, parseFlowGraph, stepIdSchema } from "@tributary/engine";
import type { JobQueue } from "@tributary/queue";
import { z } from "zod";
import { AppError, notFound } from "../errors/app-error.ts";
import { type StartedRun, startRun } from "../runs/start-run.ts";
import { flowPinsSchema, pinnedMessageSchema } from "./flow-pins.ts";

export const testStepInput = z.object({
  flowId: z.uuid(),
  stepId: stepIdSchema,
  /** The message the step gets: its predecessor's pinned output, the trigger's sample, or a past run's input. */
  input: pinnedMessageSchema,
  /** Earlier steps' outputs the step's expressions may read as `$steps.<id>`. */
  steps: flowPinsSchema.default({}),
});

/** The id of the manual trigger that feeds the tested step (kept apart from any id a user can give a step). */
const FEED_ID = "tested-step-input";

export async function testStep({
  db,
  queue,
  workspaceId,
  flowId,
  stepId,
  input,
  steps,
}: { db: Db; queue: JobQueue; workspaceId: string } & z.output<typeof testStepInput>): Promise<StartedRun> {
  const flow = await scoped(db, { workspaceId }, (tx) =>
    tx.flow.findFirst({ where: { id: flowId, workspaceId }, select: { draft: true } }),
  );
  if (!flow) throw notFound("That flow");
  const draft = parseFlowGraph(flow.draft);
  const step = draft.steps.find((candidate) => candidate.id === stepId);
  if (!step) throw notFound(`The step "${stepId}" in the draft`);
  if (STEP_DEFINITIONS.get(step.type)?.kind === "trigger") {
    throw new AppError(
      "BAD_REQUEST",
      "A trigger has nothing to test on its own: pin a sample message on it, then test the steps after it.",
    );
  }
  const graph = alone({ draft, step });
  return startRun({
    db,
    queue,
    workspaceId,
    flowId,
    trigger: "step-test",
    triggerStepId: FEED_ID,
    graph,
    isTest: true,
    body: input.body,
    headers: input.headers,
    pinnedSteps: Object.entries(steps)
      .filter(([id]) => id !== stepId && draft.steps.some((candidate) => candidate.id === id))
      .map(([id, pinned]) => ({
        stepId: id,
        stepType: draft.steps.find((candidate) => candidate.id === id)?.type ?? "unknown",
        output: { id: "pinned", headers: pinned.headers, body: pinned.body ?? null },
      })),
  });
}

/** The step by itself (enabled, outside any loop), fed by a manual trigger. */
function alone({ draft, step }: { draft: FlowGraph; step: FlowStep }): FlowGraph {
  const { disabled: _disabled, ...tested } = step;
  return {
    version: draft.version,
    steps: [{ id: FEED_ID, type: "trigger.manual", config: {} }, tested],
    edges: [{ from: FEED_ID, output: "out", to: step.id }],
  };
}
