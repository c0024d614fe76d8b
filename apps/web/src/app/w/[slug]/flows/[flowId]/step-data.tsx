"use client";
// Beside a step's form: the message it gets (pinned, sampled or from a test) and what it gave when tested
// alone. A trigger shows its sample message instead, which can be pinned for the steps after it.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { PinnedMessage, RunDetail } from "@tributary/core";
import { useEffect, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { StatusBadge } from "~/components/status-badge.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { useTRPC } from "~/trpc/react.tsx";
import { MessageView } from "./data-view.tsx";
import type { StepInput } from "./step-input.ts";

type StepRun = RunDetail["steps"][number];

export function StepData({
  flowId,
  stepId,
  isTrigger,
  input,
  pinned,
  result,
  testing,
  problem,
  canEdit,
  onTest,
  onPin,
  onInput,
}: {
  flowId: string;
  stepId: string;
  isTrigger: boolean;
  input: StepInput | null;
  pinned: PinnedMessage | undefined;
  /** This step in its latest test (alone or in a whole-flow test). */
  result: StepRun | undefined;
  testing: boolean;
  problem: string | null;
  canEdit: boolean;
  onTest: () => void;
  onPin: (message: PinnedMessage | null) => void;
  /** Another input for this step (from a past run), or null for the one it gets by default. */
  onInput: (input: StepInput | null) => void;
}) {
  if (isTrigger) return <TriggerSample key={stepId} pinned={pinned} canEdit={canEdit} onPin={onPin} />;
  const output = result?.output ? { body: result.output.body, headers: result.output.headers } : undefined;
  return (
    <div className="space-y-4">
      <section aria-label="Step input" className="space-y-1.5">
        <h3 className="text-sm font-semibold">Input</h3>
        {input ? (
          <>
            <p className="text-xs text-slate-500" data-testid="input-source">
              {input.source}
            </p>
            <MessageView label="Input" value={input.message.body} draggable={canEdit} />
          </>
        ) : (
          <p className="text-xs text-slate-500">
            No input yet: pin a sample message on the trigger, pin the output of the step before this one, or run a test
            of the flow.
          </p>
        )}
        <PastRunInputs flowId={flowId} stepId={stepId} onInput={onInput} />
      </section>
      <div className="flex flex-wrap items-center gap-2">
        <Button onClick={onTest} busy={testing} disabled={!canEdit || !input}>
          Test step
        </Button>
        <span className="text-xs text-slate-500">Runs only this step, on this input.</span>
      </div>
      {problem ? <Alert>{problem}</Alert> : null}
      <section aria-label="Step output" className="space-y-1.5">
        <div className="flex flex-wrap items-center gap-2">
          <h3 className="text-sm font-semibold">Output</h3>
          {result ? <StatusBadge status={result.status} /> : null}
          {result ? <span className="text-xs text-slate-500">{result.durationMs} ms</span> : null}
          {pinned ? (
            <span className="rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900" data-testid="pinned-badge">
              Pinned
            </span>
          ) : null}
        </div>
        {result?.error ? <Alert>{result.error.message}</Alert> : null}
        {output ? (
          <MessageView label="Output" value={output.body} draggable={false} />
        ) : pinned ? (
          <MessageView label="Pinned output" value={pinned.body} draggable={false} />
        ) : (
          <p className="text-xs text-slate-500">Test the step to see what it gives.</p>
        )}
        {canEdit ? (
          <div className="flex gap-3 text-sm">
            {output ? (
              <button type="button" className="text-brand-700 hover:underline" onClick={() => onPin(output)}>
                Pin this output
              </button>
            ) : null}
            {pinned ? (
              <button type="button" className="text-red-700 hover:underline" onClick={() => onPin(null)}>
                Unpin
              </button>
            ) : null}
          </div>
        ) : null}
        {result?.logs.length ? (
          <ol className="space-y-0.5 font-mono text-xs" aria-label="Step log">
            {result.logs.map((log, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: log lines have no id; their order is their identity
              <li key={index} className={log.level === "error" ? "text-red-700" : "text-slate-700"}>
                {log.message}
              </li>
            ))}
          </ol>
        ) : null}
      </section>
    </div>
  );
}

/** A trigger's sample message: written as JSON, pinned so the steps after it get it in tests and previews. */
function TriggerSample({
  pinned,
  canEdit,
  onPin,
}: {
  pinned: PinnedMessage | undefined;
  canEdit: boolean;
  onPin: (message: PinnedMessage | null) => void;
}) {
  const [text, setText] = useState(() => JSON.stringify(pinned?.body ?? { hello: "world" }, null, 2));
  const [problem, setProblem] = useState<string | null>(null);
  // A pin changed elsewhere (undo, another tab's save read back) shows here.
  useEffect(() => {
    if (pinned) setText(JSON.stringify(pinned.body, null, 2));
  }, [pinned]);
  function pin() {
    try {
      onPin({ body: JSON.parse(text) as unknown, headers: pinned?.headers ?? [] });
      setProblem(null);
    } catch (error) {
      setProblem(`The sample is not JSON yet: ${(error as Error).message}. Fix it, then pin it.`);
    }
  }
  return (
    <section aria-label="Sample message" className="space-y-2">
      <div className="flex items-center gap-2">
        <h3 className="text-sm font-semibold">Sample message</h3>
        {pinned ? (
          <span className="rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900" data-testid="pinned-badge">
            Pinned
          </span>
        ) : null}
      </div>
      <p className="text-xs text-slate-500">
        Pin a sample of what this trigger receives: the steps after it are tested and previewed with it. Pins are kept
        with the draft; runs never use them.
      </p>
      <label htmlFor="trigger-sample" className="sr-only">
        Sample message body (JSON)
      </label>
      <textarea
        id="trigger-sample"
        rows={8}
        spellCheck={false}
        disabled={!canEdit}
        value={text}
        onChange={(event) => setText(event.target.value)}
        className="block w-full rounded-md border border-slate-300 px-2.5 py-1.5 font-mono text-xs"
      />
      {problem ? <Alert>{problem}</Alert> : null}
      {canEdit ? (
        <div className="flex gap-3">
          <Button variant="secondary" onClick={pin}>
            {pinned ? "Update the pin" : "Pin sample"}
          </Button>
          {pinned ? (
            <button type="button" className="text-sm text-red-700 hover:underline" onClick={() => onPin(null)}>
              Unpin
            </button>
          ) : null}
        </div>
      ) : null}
      {pinned ? <MessageView label="Pinned sample" value={pinned.body} draggable={false} /> : null}
    </section>
  );
}

/** The inputs this step had in the flow's recent runs, to test it with real data. */
function PastRunInputs({
  flowId,
  stepId,
  onInput,
}: {
  flowId: string;
  stepId: string;
  onInput: (input: StepInput | null) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const [problem, setProblem] = useState<string | null>(null);
  const recent = useQuery(trpc.runs.list.queryOptions({ workspaceId: workspace.id, flowId, limit: 5 }));
  if (!recent.data?.runs.length) return null;

  async function use(runId: string, when: string) {
    setProblem(null);
    const run = await queryClient.fetchQuery(trpc.runs.get.queryOptions({ workspaceId: workspace.id, runId }));
    const own = run.steps.find((step) => step.stepId === stepId && step.input);
    if (!own?.input) {
      setProblem("That run did not reach this step; pick another one.");
      return;
    }
    onInput({
      message: { body: own.input.body, headers: own.input.headers.map(({ name, value }) => ({ name, value })) },
      source: `Its input in the run of ${when}`,
    });
  }

  return (
    <details className="text-xs">
      <summary className="cursor-pointer text-slate-600">Use its input from a past run</summary>
      <ul className="mt-1 space-y-1">
        {recent.data.runs.map((past) => {
          const when = new Date(past.queuedAt).toLocaleString();
          return (
            <li key={past.id}>
              <button type="button" className="text-brand-700 hover:underline" onClick={() => void use(past.id, when)}>
                {when} · {past.trigger} · {past.status}
              </button>
            </li>
          );
        })}
        <li>
          <button type="button" className="text-slate-600 hover:underline" onClick={() => onInput(null)}>
            Back to the pinned or sampled input
          </button>
        </li>
      </ul>
      {problem ? <p className="mt-1 text-amber-700">{problem}</p> : null}
    </details>
  );
}
