// Re-running a run from one of its activations "with the messages it had": the earlier checkpoints stay,
// that activation and everything that followed from it go, and planning resumes from there.
import { loopDoneKey, scopeOf } from "./activation-key.ts";
import { LOOP_ITEM_OUTPUT } from "./catalog.ts";
import type { StepRecord } from "./plan-run.ts";
import type { PreparedFlow } from "./prepare-flow.ts";

function downstreamOf(
  flow: PreparedFlow,
  stepId: string,
  { skipItemOutput }: { skipItemOutput: boolean },
): Set<string> {
  const reached = new Set<string>([stepId]);
  const stack = [stepId];
  while (stack.length) {
    const id = stack.pop() as string;
    for (const [output, edges] of flow.steps.get(id)?.outgoing ?? []) {
      if (skipItemOutput && id === stepId && output === LOOP_ITEM_OUTPUT) continue;
      for (const edge of edges) {
        if (!reached.has(edge.to)) {
          reached.add(edge.to);
          stack.push(edge.to);
        }
      }
    }
  }
  return reached;
}

/** The records to keep when re-running from activation `key`. */
export function recordsBefore({
  flow,
  records,
  key,
}: {
  flow: PreparedFlow;
  records: readonly StepRecord[];
  key: string;
}): StepRecord[] {
  const target = records.find((record) => record.key === key);
  if (!target) return [...records];
  const removed = new Set<string>();
  const dropDownstream = (scope: string, stepIds: Set<string>) => {
    for (const record of records) {
      if (!record.key.startsWith(scope)) continue;
      const rest = record.key.slice(scope.length);
      const stepId = rest.split(/[#[/]/)[0] ?? "";
      if (stepIds.has(stepId)) removed.add(record.key);
    }
  };
  let scope = scopeOf(key);
  dropDownstream(scope, downstreamOf(flow, target.stepId, { skipItemOutput: false }));
  // Inside loop items, the loops' results (and what followed them) are stale too.
  while (scope) {
    const loopKey = scope.slice(0, scope.lastIndexOf("["));
    removed.add(loopDoneKey(loopKey));
    const loopStepId = loopKey.slice(scopeOf(loopKey).length).split("#")[0] ?? "";
    scope = scopeOf(loopKey);
    const after = downstreamOf(flow, loopStepId, { skipItemOutput: true });
    after.delete(loopStepId);
    dropDownstream(scope, after);
  }
  return records.filter((record) => !removed.has(record.key));
}
