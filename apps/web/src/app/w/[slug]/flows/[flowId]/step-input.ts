// Which message the selected step would get, and where it comes from: a pinned output of the step before it
// (a trigger's pinned sample included), its input in the last test, the step before it's output in the last
// test, or the Test tab's sample message when a trigger feeds it.
import type { PinnedMessage, RunDetail } from "@tributary/core";
import type { Graph } from "./use-draft.ts";

export type StepInput = { message: PinnedMessage; source: string };

type Headers = PinnedMessage["headers"];

export function stepInput({
  graph,
  stepId,
  pins,
  runs,
  sample,
  isTrigger,
}: {
  graph: Graph;
  stepId: string;
  pins: Record<string, PinnedMessage>;
  /** Test runs, newest first. */
  runs: (RunDetail | undefined)[];
  /** The Test tab's sample message body, when it parses. */
  sample: unknown;
  isTrigger: (stepId: string) => boolean;
}): StepInput | null {
  const name = (id: string) => {
    const step = graph.steps.find((candidate) => candidate.id === id);
    return step?.name ? `“${step.name}”` : `“${id}”`;
  };
  const before = [...new Set(graph.edges.filter((edge) => edge.to === stepId).map((edge) => edge.from))];
  for (const id of before) {
    const pinned = pins[id];
    if (pinned) return { message: pinned, source: `Pinned ${isTrigger(id) ? "sample of" : "output of"} ${name(id)}` };
  }
  for (const run of runs) {
    const own = run?.steps.find((step) => step.stepId === stepId && step.input);
    if (own?.input) return { message: plain(own.input), source: "Its input in the last test" };
    for (const id of before) {
      const previous = run?.steps.find((step) => step.stepId === id && step.output && step.status === "succeeded");
      if (previous?.output)
        return { message: plain(previous.output), source: `Output of ${name(id)} in the last test` };
    }
  }
  if (sample !== undefined && before.some(isTrigger)) {
    return { message: { body: sample, headers: [] }, source: "The sample message of the Test tab" };
  }
  return null;
}

function plain(message: { body: unknown; headers: Headers }): PinnedMessage {
  return { body: message.body, headers: message.headers.map(({ name, value }) => ({ name, value })) };
}
