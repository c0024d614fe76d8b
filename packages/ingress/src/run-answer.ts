// What a sync webhook answers: the run's response (a respond step), its result when it ended without one, or
// a note that it failed. The answer usually travels in the run's event; a caller repeating an idempotent call,
// or an event that came without it, reads the run instead.
import { type Db, type RunEvent, type RunEventHub, runOutcome } from "@tributary/core";
import { problem } from "./responses.ts";

export type RunAnswer = NonNullable<Extract<RunEvent, { type: "run" }>["answer"]>;

export type AnswerWatch = {
  ready: Promise<void>;
  /** The answer, the run's end without one (`null`: read it), or `undefined` at the timeout. */
  answered: Promise<RunAnswer | null | undefined>;
  stop(): void;
};

/** Watches a run for its answer; subscribe (await `ready`) before the run can start. */
export function watchForAnswer({
  events,
  runId,
  timeoutMs,
}: {
  events: RunEventHub;
  runId: string;
  timeoutMs: number;
}): AnswerWatch {
  let settle: (answer: RunAnswer | null | undefined) => void = () => {};
  const answered = new Promise<RunAnswer | null | undefined>((resolve) => {
    settle = resolve;
  });
  const timer = setTimeout(() => settle(undefined), timeoutMs);
  timer.unref();
  const watch = events.watch(runId, (event) => {
    if (event.type === "response") settle({ response: event.response, output: null, error: null });
    else if (event.type === "run" && event.status !== "waiting") settle(event.answer ?? null);
  });
  return {
    ready: watch.ready,
    answered,
    stop() {
      clearTimeout(timer);
      watch.stop();
    },
  };
}

/** The answer of a run read from Postgres, or null while it has none. */
export async function storedAnswer({
  db,
  workspaceId,
  runId,
}: {
  db: Db;
  workspaceId: string;
  runId: string;
}): Promise<RunAnswer | null> {
  const run = await runOutcome({ db, workspaceId, runId });
  if (!run || !(run.response || ["succeeded", "failed", "cancelled"].includes(run.status))) return null;
  return {
    response: run.response,
    output: run.status === "succeeded" ? run.output : null,
    error: run.status === "succeeded" ? null : (run.error ?? { message: run.status }),
  };
}

export function answerResponse({
  answer,
  runId,
  messageId,
}: {
  answer: RunAnswer | null;
  runId: string;
  messageId: string;
}): Response {
  if (answer?.response) {
    const { status, headers, body } = answer.response;
    const text = typeof body === "string";
    return new Response(text ? body : JSON.stringify(body ?? null), {
      status,
      headers: {
        "content-type": text ? "text/plain; charset=utf-8" : "application/json",
        "x-tributary-run": runId,
        ...headers,
      },
    });
  }
  if (answer?.error) {
    return problem(500, "run_failed", `The flow did not finish: ${answer.error.message}.`, { details: { runId } });
  }
  if (answer) {
    return Response.json(answer.output?.body ?? null, { status: 200, headers: { "x-tributary-run": runId } });
  }
  return problem(504, "timeout", "The flow did not answer in time; it goes on running.", {
    details: { runId, messageId },
  });
}
