// "Wait for this run's answer", for listener triggers whose callers wait (an MLLP sender for its ACK): the one
// place that knows how. It watches the run's events through the worker's hub; the answer usually travels in
// the event, and is read from Postgres otherwise (an event without it, or a run that answered before anyone
// watched).
import type { RunAnswer } from "@tributary/connectors";
import { type Db, type RunEvent, type RunEventHub, runOutcome } from "@tributary/core";

type Answer = NonNullable<Extract<RunEvent, { type: "run" }>["answer"]>;

function fromAnswer({ response, output, error }: Answer): RunAnswer {
  if (response) return { status: "answered", httpStatus: response.status, body: response.body };
  if (error) return { status: "failed", error: error.message };
  return { status: "succeeded", body: output?.body ?? null };
}

export function createRunAnswers({ events, db }: { events: RunEventHub; db: Db }) {
  async function read(workspaceId: string, runId: string): Promise<RunAnswer> {
    const outcome = await runOutcome({ db, workspaceId, runId });
    if (outcome?.response)
      return { status: "answered", httpStatus: outcome.response.status, body: outcome.response.body };
    if (outcome?.status === "succeeded") return { status: "succeeded", body: outcome.output?.body ?? null };
    if (outcome?.status === "failed" || outcome?.status === "cancelled") {
      return { status: "failed", error: outcome.error?.message ?? `The run was ${outcome.status}.` };
    }
    return { status: "pending" };
  }

  return {
    async awaitAnswer({
      workspaceId,
      runId,
      timeoutMs,
    }: {
      workspaceId: string;
      runId: string;
      timeoutMs: number;
    }): Promise<RunAnswer> {
      let settle: (answer: RunAnswer | null) => void = () => undefined;
      const answered = new Promise<RunAnswer | null>((resolve) => {
        settle = resolve;
      });
      const watch = events.watch(runId, (event) => {
        if (event.type === "response") settle(fromAnswer({ response: event.response, output: null, error: null }));
        else if (event.type === "run" && event.status !== "waiting")
          settle(event.answer ? fromAnswer(event.answer) : null);
      });
      let timer: NodeJS.Timeout | undefined;
      try {
        await watch.ready;
        const stored = await read(workspaceId, runId);
        if (stored.status !== "pending") return stored;
        const answer = await Promise.race([
          answered,
          new Promise<RunAnswer>((resolve) => {
            timer = setTimeout(() => resolve({ status: "pending" }), timeoutMs);
          }),
        ]);
        return answer ?? (await read(workspaceId, runId));
      } finally {
        clearTimeout(timer);
        watch.stop();
      }
    },
  };
}
