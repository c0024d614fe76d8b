"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { PinnedMessage, RunDetail } from "@tributary/core";
import type { FlowStep } from "@tributary/engine";
import Link from "next/link";
import { useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { StepInspector } from "~/components/runs/step-inspector.tsx";
import { StatusBadge } from "~/components/status-badge.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

/**
 * Test the draft with a sample message and follow the run; pick a step to see what it did. The sample starts as
 * the trigger's pin (a template's sample is one); an edited sample can be pinned back on the trigger.
 */
export function TestPanel({
  flowId,
  run,
  selectedStepId,
  onStarted,
  beforeRun,
  sample,
  onSample,
  trigger,
  pinned,
  canPin,
  onPin,
}: {
  flowId: string;
  run: RunDetail | undefined;
  selectedStepId: string | null;
  onStarted: (runId: string) => void;
  beforeRun: () => Promise<void>;
  sample: string;
  onSample: (sample: string) => void;
  /** The trigger whose pinned sample this is (the flow's first trigger when none has a pin). */
  trigger: FlowStep | null;
  pinned: PinnedMessage | undefined;
  canPin: boolean;
  onPin: (message: PinnedMessage) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const [problem, setProblem] = useState<string | null>(null);
  const start = useMutation(trpc.runs.start.mutationOptions());
  const recent = useQuery(trpc.runs.list.queryOptions({ workspaceId: workspace.id, flowId, limit: 5 }));

  async function runTest() {
    setProblem(null);
    let body: unknown;
    try {
      body = JSON.parse(sample);
    } catch (error) {
      setProblem(`The sample message is not JSON: ${(error as Error).message}`);
      return;
    }
    try {
      await beforeRun();
      const started = await start.mutateAsync({ workspaceId: workspace.id, flowId, body, test: true });
      onStarted(started.runId);
      void queryClient.invalidateQueries({ queryKey: trpc.runs.list.queryKey() });
    } catch (error) {
      setProblem(error instanceof Error && !("data" in error) ? error.message : describeError(error).message);
    }
  }

  function pinSample() {
    try {
      onPin({ body: JSON.parse(sample) as unknown, headers: pinned?.headers ?? [] });
      setProblem(null);
    } catch (error) {
      setProblem(`The sample message is not JSON: ${(error as Error).message}. Fix it, then pin it.`);
    }
  }
  const triggerName = trigger ? `“${trigger.name ?? trigger.id}”` : null;
  const pinnedText = pinned ? JSON.stringify(pinned.body, null, 2) : null;

  async function reuse(runId: string) {
    const past = await queryClient.fetchQuery(trpc.runs.get.queryOptions({ workspaceId: workspace.id, runId }));
    onSample(JSON.stringify(past.input.body, null, 2));
  }

  const stepRuns = run?.steps.filter((step) => !selectedStepId || step.stepId === selectedStepId) ?? [];

  return (
    <div className="space-y-3">
      <label htmlFor="sample" className="block text-sm font-medium text-slate-700">
        Sample message body (JSON)
      </label>
      <textarea
        id="sample"
        rows={6}
        spellCheck={false}
        value={sample}
        onChange={(e) => onSample(e.target.value)}
        aria-describedby="sample-source"
        className="block w-full rounded-md border border-slate-300 px-2.5 py-1.5 font-mono text-xs"
      />
      <p id="sample-source" className="text-xs text-slate-500" data-testid="sample-source">
        {!triggerName
          ? "Add a trigger to pin a sample message on it."
          : pinnedText === null
            ? `No sample is pinned on ${triggerName}: pin one so step tests and previews use it too.`
            : pinnedText === sample
              ? `The sample pinned on ${triggerName}.`
              : `Edited: differs from the sample pinned on ${triggerName}.`}
      </p>
      {canPin && trigger && pinnedText !== sample ? (
        <Button variant="secondary" onClick={pinSample}>
          Pin on {triggerName}
        </Button>
      ) : null}
      {recent.data?.runs.length ? (
        <details>
          <summary className="cursor-pointer text-xs text-slate-600">Use the input of a past run</summary>
          <ul className="mt-1 space-y-1">
            {recent.data.runs.map((past) => (
              <li key={past.id}>
                <button
                  type="button"
                  className="text-xs text-brand-700 hover:underline"
                  onClick={() => void reuse(past.id)}
                >
                  {new Date(past.queuedAt).toLocaleString()} · {past.trigger} · {past.status}
                </button>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      <Button onClick={() => void runTest()} busy={start.isPending} disabled={!workspace.can("runs.start")}>
        Run test
      </Button>
      {problem ? <Alert>{problem}</Alert> : null}
      {run ? (
        <section aria-label="Test run" className="space-y-3 border-t border-slate-200 pt-3">
          <div className="flex items-center gap-2 text-sm">
            <StatusBadge status={run.status} />
            <Link href={`/w/${workspace.slug}/runs/${run.id}`} className="text-xs text-brand-700 hover:underline">
              Open run
            </Link>
            {run.durationMs !== null ? <span className="text-xs text-slate-500">{run.durationMs} ms</span> : null}
          </div>
          {run.error ? <Alert>{run.error.message}</Alert> : null}
          {selectedStepId ? null : <p className="text-xs text-slate-500">Click a step to see only its messages.</p>}
          {stepRuns.map((step) => (
            <StepInspector key={step.key} step={step} />
          ))}
          {selectedStepId && !stepRuns.length ? (
            <p className="text-xs text-slate-500">This step has not run in this test.</p>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
