// Whether someone waits for a run's answer (a sync webhook's caller, a listener's sender): then it travels in
// the run's events.
import { STEP_DEFINITIONS } from "@tributary/connectors";
import type { PreparedFlow } from "@tributary/engine";

export function callerWaits(flow: PreparedFlow, triggerStepId: string): boolean {
  const trigger = flow.steps.get(triggerStepId)?.step;
  const definition = trigger ? STEP_DEFINITIONS.get(trigger.type) : undefined;
  return (
    (trigger?.type === "trigger.webhook" && trigger.config.responseMode === "sync") ||
    (definition?.kind === "trigger" && definition.listens === true)
  );
}
