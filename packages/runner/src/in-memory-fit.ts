// Which runs of a flow version may run in memory and be stored whole, judged once when the version is prepared.
// Each place that runs flows in memory has its own rule, for what it can do when a run does not end cleanly:
// the web's quick runs and the worker's whole runs run again from the start elsewhere (so no step may have an
// outside effect), and the consumer's inline intake leaves its message to the broker (so the one effect
// allowed is the last step).
import { STEP_DEFINITIONS } from "@tributary/connectors";
import type { PreparedFlow } from "@tributary/engine";

export type InMemoryFit = {
  /** For the web process: no step has effects or needs what only a worker has (code sandbox, waiting). */
  quick: boolean;
  /** For a worker: no step has effects or waits, and nothing repeats (no loop, no cycle). */
  whole: boolean;
  /** For a worker's consumer: every step but the last is without effects, and the last ends the flow. */
  effectLast: boolean;
};

export function inMemoryFit(flow: PreparedFlow): InMemoryFit {
  // Publishing refuses cycles; a flow with one never runs in memory all the same, where nothing would stop it.
  if (flow.cyclic.length > 0) return { quick: false, whole: false, effectLast: false };
  return { quick: isQuick(flow), whole: runsWhole(flow), effectLast: endsInItsOnlyEffect(flow) };
}

const definitionsOf = (flow: PreparedFlow) =>
  [...flow.steps.values()].map(({ step }) => STEP_DEFINITIONS.get(step.type));

function isQuick(flow: PreparedFlow): boolean {
  return definitionsOf(flow).every(
    (definition) =>
      definition?.kind === "trigger" ||
      (definition?.kind === "action" && definition.effects === "none" && !definition.needsWorker),
  );
}

// Its steps can run again without harm, and their number is bounded by the flow's.
function runsWhole(flow: PreparedFlow): boolean {
  return definitionsOf(flow).every(
    (definition) =>
      definition?.kind === "trigger" ||
      (definition?.kind === "action" &&
        definition.effects === "none" &&
        definition.needsWorker !== "time" &&
        definition.behavior !== "loop"),
  );
}

// No step follows the one with effects, on any of its outputs: then a failure can only be the last step's.
function endsInItsOnlyEffect(flow: PreparedFlow): boolean {
  const followed = new Set(flow.graph.edges.map((edge) => edge.from));
  let effects = 0;
  for (const { step } of flow.steps.values()) {
    const definition = STEP_DEFINITIONS.get(step.type);
    if (definition?.kind === "trigger") continue;
    if (definition?.kind !== "action") return false;
    if (definition.effects === "none") continue;
    effects += 1;
    if (effects > 1 || followed.has(step.id)) return false;
  }
  return true;
}
