// Calls another flow of the workspace with the message and continues with its result. The caller's run
// waits in Postgres, not in a worker slot, while the called run works.
import { z } from "zod";
import { defineAction, defineConnector, StepFailure } from "../define.ts";

export const callFlow = defineAction({
  type: "flow.call",
  example: { config: { flowId: "0196f6c2-8a2b-7c3d-9e4f-5a6b7c8d9e0f" } },
  title: "Call a flow",
  description: "Runs another flow (with a “Called by a flow” trigger) on the message and continues with its result.",
  category: "Flows",
  config: z.object({ flowId: z.uuid({ message: "Choose the flow to call." }).meta({ title: "Flow", widget: "flow" }) }),
  async run({ config, message, flows, run }) {
    const call = await flows.call({ flowId: config.flowId, message, stepKey: run.activationKey });
    if (call.status === "running") return { park: { childRunId: call.runId } };
    if (call.status === "failed")
      throw new StepFailure(`The called flow failed (run ${call.runId}): ${call.error}`, {
        code: "called_flow_failed",
      });
    return { body: call.output.body, headers: [{ name: "x-tributary-called-run", value: call.runId }] };
  },
});

export const flowsConnector = defineConnector({
  id: "flows",
  title: "Flows",
  description: "Compose flows.",
  steps: [callFlow],
});
