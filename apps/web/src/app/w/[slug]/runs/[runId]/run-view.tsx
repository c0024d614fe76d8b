"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ReactFlowProvider } from "@xyflow/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card, PageHeader } from "~/components/page-header.tsx";
import { type RerunVersion, RerunVersionChoice } from "~/components/runs/rerun-version-choice.tsx";
import { RunLog } from "~/components/runs/run-log.tsx";
import { StepInspector } from "~/components/runs/step-inspector.tsx";
import { useWatchedRun } from "~/components/runs/use-watched-run.ts";
import { StatusBadge } from "~/components/status-badge.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";
import { Canvas } from "../../flows/[flowId]/canvas.tsx";

/** One run: its timeline of steps with their messages, the failing step first in view, and what can be done. */
export function RunView({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const workspace = useWorkspace();
  const { run, ended, states: live } = useWatchedRun({ workspaceId: workspace.id, runId });
  const [open, setOpen] = useState<string | null>(null);
  const [version, setVersion] = useState<RerunVersion>("current");
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.runs.pathKey() });
  const goTo = (started: { runId: string }) => router.push(`/w/${workspace.slug}/runs/${started.runId}`);
  const cancel = useMutation(trpc.runs.cancel.mutationOptions({ onSettled: refresh }));
  const rerun = useMutation(trpc.runs.rerun.mutationOptions({ onSuccess: goTo }));
  const rerunFrom = useMutation(trpc.runs.rerunFromStep.mutationOptions({ onSuccess: goTo }));
  const failure = cancel.error ?? rerun.error ?? rerunFrom.error;
  const manage = workspace.can("runs.manage");
  const palette = useQuery(trpc.flows.palette.queryOptions());

  if (!run) return <p className="text-sm text-slate-500">Loading the run…</p>;
  const failedStep = run.steps.find((step) => step.status === "failed");
  const shown = open ?? failedStep?.key ?? null;
  // A test of the draft re-runs the draft; otherwise the choice, defaulting to the current version if any.
  const rerunOn: RerunVersion = run.isTest || run.currentVersion === null ? "original" : version;
  const longest = Math.max(1, ...run.steps.map((step) => step.durationMs));

  return (
    <>
      <PageHeader
        title={`Run of ${run.flowName}`}
        description={
          <>
            {run.isTest ? "Test of the draft" : `Version ${run.version}`} · {run.trigger} · message{" "}
            <code className="text-xs break-all">{run.messageId}</code>
          </>
        }
        actions={
          manage ? (
            <>
              {!ended ? (
                <Button
                  variant="secondary"
                  busy={cancel.isPending}
                  onClick={() => cancel.mutate({ workspaceId: workspace.id, runId })}
                >
                  Cancel
                </Button>
              ) : null}
              {failedStep ? (
                <Button
                  busy={rerunFrom.isPending}
                  onClick={() =>
                    rerunFrom.mutate({ workspaceId: workspace.id, runId, stepKey: failedStep.key, version: rerunOn })
                  }
                >
                  Re-run from {failedStep.stepId}
                </Button>
              ) : null}
              {ended ? (
                <Button
                  variant="secondary"
                  busy={rerun.isPending}
                  onClick={() => rerun.mutate({ workspaceId: workspace.id, runId, version: rerunOn })}
                >
                  Re-run
                </Button>
              ) : null}
            </>
          ) : undefined
        }
      />
      <div className="mb-4 flex flex-wrap items-center gap-3 text-sm">
        <StatusBadge status={run.status} />
        {run.hadErrors ? <StatusBadge status="had errors" /> : null}
        {run.startedAt ? <span>started {new Date(run.startedAt).toLocaleString()}</span> : <span>queued</span>}
        {run.durationMs !== null ? <span className="text-slate-500">{run.durationMs} ms</span> : null}
        {run.parentRunId ? (
          <Link href={`/w/${workspace.slug}/runs/${run.parentRunId}`} className="text-brand-700 hover:underline">
            Called by another run
          </Link>
        ) : null}
        <Link href={`/w/${workspace.slug}/flows/${run.flowId}`} className="text-brand-700 hover:underline">
          Open the flow
        </Link>
      </div>
      {manage && ended && !run.isTest && run.currentVersion !== null && run.currentVersion !== run.version ? (
        <div className="mb-4">
          <RerunVersionChoice
            name="rerun-version"
            value={version}
            onChange={setVersion}
            current={`The current version (v${run.currentVersion})`}
            original={`The version this run used (v${run.version})`}
          />
        </div>
      ) : null}
      {failure ? (
        <div className="mb-4">
          <Alert>{describeError(failure).message}</Alert>
        </div>
      ) : null}
      {run.error ? (
        <div className="mb-4">
          <Alert>
            {run.error.stepId ? `Step ${run.error.stepId} failed: ` : ""}
            {run.error.message}
          </Alert>
        </div>
      ) : null}
      {palette.data ? (
        <Card className="mb-4 flex h-72 overflow-hidden">
          <ReactFlowProvider>
            <Canvas
              graph={run.graph}
              entries={new Map(palette.data.map((entry) => [entry.type, entry]))}
              errorsByStep={new Map(failedStep?.error ? [[failedStep.stepId, [failedStep.error.message]]] : [])}
              runStates={live}
              selected={new Set(run.steps.filter((step) => step.key === shown).map((step) => step.stepId))}
              readOnly
              onSelect={(ids) => {
                const stepId = [...ids][0];
                const last = run.steps.filter((step) => step.stepId === stepId).at(-1);
                if (last) setOpen(last.key);
              }}
              onChange={() => undefined}
              onDropEntry={() => undefined}
            />
          </ReactFlowProvider>
        </Card>
      ) : null}
      {/* One column of minmax(0, 1fr) on a phone: an auto column would grow to the longest line of a message. */}
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
        <Card>
          <h2 className="border-b border-slate-200 px-4 py-2.5 text-sm font-semibold">Steps</h2>
          <ol className="divide-y divide-slate-100">
            {run.steps.length === 0 ? <li className="px-4 py-3 text-sm text-slate-500">No step has run yet.</li> : null}
            {run.steps.map((step) => (
              <li key={step.key}>
                <button
                  type="button"
                  onClick={() => setOpen(step.key)}
                  aria-current={shown === step.key ? "true" : undefined}
                  className={`w-full px-4 py-2 text-left text-sm hover:bg-slate-50 aria-[current]:bg-brand-50 ${
                    step.status === "failed" ? "border-l-4 border-red-500" : ""
                  }`}
                >
                  <div className="flex items-center justify-between gap-2">
                    <span className="font-mono">{step.stepId}</span>
                    <StatusBadge status={step.status} />
                  </div>
                  <div className="mt-1 h-1.5 rounded bg-slate-100">
                    <div
                      className={`h-1.5 rounded ${step.status === "failed" ? "bg-red-400" : "bg-brand-400"}`}
                      style={{ width: `${Math.max(2, (100 * step.durationMs) / longest)}%` }}
                    />
                  </div>
                  <div className="mt-0.5 text-xs text-slate-500">{step.durationMs} ms</div>
                </button>
              </li>
            ))}
          </ol>
        </Card>
        {run.log.length > 0 ? (
          <Card className="lg:order-last lg:col-span-2">
            <RunLog log={run.log} />
          </Card>
        ) : null}
        <Card className="p-4">
          {shown ? (
            run.steps.filter((step) => step.key === shown).map((step) => <StepInspector key={step.key} step={step} />)
          ) : (
            <div className="space-y-2 text-sm">
              <h2 className="font-semibold">Input message</h2>
              <pre className="max-h-96 overflow-auto rounded-md bg-slate-900 p-2 text-xs text-slate-100">
                {JSON.stringify(run.input.body, null, 2)}
              </pre>
              <p className="text-xs text-slate-500">Pick a step to see what it received and produced.</p>
            </div>
          )}
        </Card>
      </div>
    </>
  );
}
