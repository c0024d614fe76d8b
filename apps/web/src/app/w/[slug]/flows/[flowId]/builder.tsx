"use client";
// The flow builder: palette, canvas and the panel of the selected step, over a draft that saves itself.
import { skipToken, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { FlowDetail, PaletteEntry, PinnedMessage } from "@tributary/core";
import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import Link from "next/link";
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { ExpressionHintsContext } from "~/components/config/expression-hints.ts";
import { SampleMessage } from "~/components/config/expression-preview.tsx";
import { useWatchedRun } from "~/components/runs/use-watched-run.ts";
import { StatusBadge } from "~/components/status-badge.tsx";
import { TriggerStatusLine } from "~/components/trigger-status.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";
import { Canvas } from "./canvas.tsx";
import { ChangesDialog } from "./changes-dialog.tsx";
import { diffGraphs } from "./graph-diff.ts";
import { addStep, type Clipboard, copySteps, pasteSteps, removeSteps, updateStep } from "./graph-edits.ts";
import { Palette } from "./palette.tsx";
import { PanelResizer, usePanelWidth } from "./panel-resizer.tsx";
import { type Problem, problemsByStep } from "./problems.ts";
import { ShortcutsHelp } from "./shortcuts.tsx";
import { StepData } from "./step-data.tsx";
import { type StepInput, stepInput } from "./step-input.ts";
import { StepPanel } from "./step-panel.tsx";
import { TestPanel } from "./test-panel.tsx";
import { type Graph, type SaveState, useDraft, useSavesSettled } from "./use-draft.ts";
import { VersionsPanel } from "./versions-panel.tsx";

type Tab = "step" | "test" | "versions";

export function Builder({ flowId }: { flowId: string }) {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const flow = useQuery(trpc.flows.get.queryOptions({ workspaceId: workspace.id, flowId }));
  const palette = useQuery(trpc.flows.palette.queryOptions());
  const savesSettled = useSavesSettled(flowId);
  // A refetch that fails keeps the builder open: closing it would throw away the edits not saved yet.
  if (!flow.data || !palette.data || !savesSettled) {
    const error = flow.error ?? palette.error;
    return error ? (
      <Alert>{describeError(error).message}</Alert>
    ) : (
      <p className="text-sm text-slate-500">Opening the flow…</p>
    );
  }
  return (
    <ReactFlowProvider>
      <Editor flow={flow.data} entries={palette.data} />
    </ReactFlowProvider>
  );
}

function Editor({ flow, entries }: { flow: FlowDetail; entries: PaletteEntry[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const reactFlow = useReactFlow();
  const editable = workspace.can("flows.edit");
  const draft = useDraft({ workspaceId: workspace.id, flow });
  const [selection, setSelected] = useState<Set<string>>(new Set());
  const [tab, setTab] = useState<Tab>("step");
  const panelRef = useRef<HTMLElement>(null);
  const [panelWidth, setPanelWidth] = usePanelWidth();
  const [viewing, setViewing] = useState<{ number: number; graph: Graph } | null>(null);
  const [testRunId, setTestRunId] = useState<string | null>(null);
  // A refused publish is about the graph that was published: an edit makes it old news, so it shows only until then.
  const [refusal, setRefusal] = useState<{ message: string; graph: Graph } | null>(null);
  const clipboard = useRef<Clipboard | null>(null);
  const byType = useMemo(() => new Map(entries.map((entry) => [entry.type, entry])), [entries]);

  const graph = viewing?.graph ?? draft.graph;
  // Only steps that exist are selected: a step deleted (by key, undo or restore) leaves the selection with it,
  // or the next click would add to a step that is gone.
  const selected = useMemo(() => {
    const present = new Set(graph.steps.map((step) => step.id));
    return new Set([...selection].filter((id) => present.has(id)));
  }, [selection, graph.steps]);
  const readOnly = !editable || viewing !== null;
  // Positions do not change validity: leaving them out keeps a drag from asking the server again.
  const checked = useDeferredValue(
    useMemo(
      () => ({ ...draft.graph, steps: draft.graph.steps.map(({ position: _, ...step }) => step) }),
      [draft.graph],
    ),
  );
  const validation = useQuery({
    ...trpc.flows.validate.queryOptions({ workspaceId: workspace.id, graph: checked }),
    placeholderData: (previous) => previous,
  });
  const problems = (validation.data ?? []) as Problem[];
  const errorsByStep = useMemo(() => problemsByStep(viewing ? [] : problems), [problems, viewing]);
  const watched = useWatchedRun({ workspaceId: workspace.id, runId: testRunId });

  // Pinned sample messages (a trigger's sample, steps' outputs): saved with the draft as soon as they change.
  const [pins, setPins] = useState<Record<string, PinnedMessage>>(flow.pins);
  const savePins = useMutation(trpc.flows.savePins.mutationOptions());
  const pin = useCallback(
    (stepId: string, message: PinnedMessage | null) => {
      setPins((current) => {
        const next = { ...current };
        if (message) next[stepId] = message;
        else delete next[stepId];
        savePins.mutate({ workspaceId: workspace.id, flowId: flow.id, pins: next });
        return next;
      });
    },
    [savePins, workspace.id, flow.id],
  );
  const isTrigger = useCallback(
    (stepId: string) => byType.get(graph.steps.find((step) => step.id === stepId)?.type ?? "")?.kind === "trigger",
    [byType, graph.steps],
  );
  // The Test tab starts from the trigger's pinned sample (a template's, or one pinned in the trigger's panel).
  const triggers = graph.steps.filter((step) => isTrigger(step.id));
  const sampleTrigger = (triggers.find((step) => pins[step.id]) ?? triggers[0])?.id ?? null;
  const triggerPin = sampleTrigger ? pins[sampleTrigger] : undefined;
  const [sampleText, setSampleText] = useState(() => JSON.stringify(triggerPin?.body ?? { hello: "world" }, null, 2));
  useEffect(() => {
    if (triggerPin) setSampleText(JSON.stringify(triggerPin.body, null, 2));
  }, [triggerPin]);
  const typedSample = useMemo(() => {
    try {
      return JSON.parse(sampleText) as unknown;
    } catch {
      return undefined;
    }
  }, [sampleText]);
  // One step tested alone: a run of its own, watched like a whole-flow test.
  const [stepTestRunId, setStepTestRunId] = useState<string | null>(null);
  const stepTest = useWatchedRun({ workspaceId: workspace.id, runId: stepTestRunId });
  const testStep = useMutation(trpc.flows.testStep.mutationOptions());
  const [stepTestProblem, setStepTestProblem] = useState<{ stepId: string; message: string } | null>(null);

  const publish = useMutation(
    trpc.flows.publish.mutationOptions({
      onSuccess: () => {
        setRefusal(null);
        void queryClient.invalidateQueries({ queryKey: trpc.flows.pathKey() });
      },
    }),
  );
  const setStatus = useMutation(
    trpc.flows.setStatus.mutationOptions({
      onSuccess: (_, { status }) => {
        // The flow now has the status asked for: shown at once, whether or not reloading the flow succeeds.
        queryClient.setQueryData(
          trpc.flows.get.queryKey({ workspaceId: workspace.id, flowId: flow.id }),
          (loaded) => loaded && { ...loaded, status },
        );
        void queryClient.invalidateQueries({ queryKey: trpc.flows.get.queryKey() });
      },
    }),
  );
  const current = useQuery(trpc.flows.get.queryOptions({ workspaceId: workspace.id, flowId: flow.id }));
  const status = current.data?.status ?? flow.status;
  const published = (current.data?.currentVersion ?? flow.currentVersion) !== null;

  const publishProblem = refusal?.graph === draft.graph ? refusal.message : null;

  // The draft against the version that runs: "Changes not published" and what they are.
  const versions = useQuery(trpc.flows.versions.queryOptions({ workspaceId: workspace.id, flowId: flow.id }));
  const running = versions.data?.find((version) => version.current);
  const runningGraph = useQuery(
    trpc.flows.version.queryOptions(
      running ? { workspaceId: workspace.id, flowId: flow.id, versionId: running.id } : skipToken,
    ),
  );
  const changes = useMemo(
    () => (runningGraph.data && running ? diffGraphs(runningGraph.data.graph, draft.graph) : null),
    [runningGraph.data, running, draft.graph],
  );

  const selectedStep = selected.size === 1 ? graph.steps.find((step) => selected.has(step.id)) : undefined;
  // An input picked from a past run replaces the default one of that step until another step is selected.
  const [pickedInput, setPickedInput] = useState<{ stepId: string; input: StepInput } | null>(null);
  const selectedInput = useMemo(
    () =>
      selectedStep && !isTrigger(selectedStep.id)
        ? pickedInput?.stepId === selectedStep.id
          ? pickedInput.input
          : stepInput({
              graph,
              stepId: selectedStep.id,
              pins,
              runs: [stepTest.run, watched.run],
              sample: typedSample,
              isTrigger,
            })
        : null,
    [selectedStep, pickedInput, graph, pins, stepTest.run, watched.run, typedSample, isTrigger],
  );
  // The selected step in its latest test: tested alone, else in the last whole-flow test.
  const selectedResult = selectedStep
    ? [stepTest.run, watched.run]
        .flatMap(
          (run) => run?.steps.filter((step) => step.stepId === selectedStep.id && step.stepType !== "unknown") ?? [],
        )
        .find((step) => step.status !== "skipped")
    : undefined;
  // Expression previews evaluate against the selected step's input, else the last test's input or the sample.
  const sample = selectedInput ? selectedInput.message.body : (watched.run?.input.body ?? typedSample);
  const secrets = useQuery({
    ...trpc.secrets.list.queryOptions({ workspaceId: workspace.id }),
    enabled: workspace.can("secrets.read"),
  });
  const selectedId = selectedStep?.id;
  const hints = useMemo(() => {
    // `$steps` offers the steps a run passes before the selected one.
    const earlier = new Set<string>();
    const queue = selectedId ? [selectedId] : [];
    for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
      for (const edge of graph.edges) {
        if (edge.to === id && !earlier.has(edge.from)) {
          earlier.add(edge.from);
          queue.push(edge.from);
        }
      }
    }
    const steps: Record<string, unknown> = {};
    for (const step of graph.steps) {
      if (!earlier.has(step.id)) continue;
      const output = [stepTest.run, watched.run]
        .map((run) => run?.steps.find((record) => record.stepId === step.id)?.output?.body)
        .find((body) => body !== undefined);
      steps[step.id] = pins[step.id]?.body ?? output;
    }
    return {
      input: sample,
      headers: selectedInput?.message.headers.map((header) => header.name) ?? [],
      steps,
      secrets: secrets.data?.map((secret) => secret.name) ?? [],
    };
  }, [graph.steps, graph.edges, selectedId, stepTest.run, watched.run, pins, sample, selectedInput, secrets.data]);

  async function runStepTest(stepId: string) {
    if (!selectedInput) return;
    setStepTestProblem(null);
    try {
      await draft.flush();
      const started = await testStep.mutateAsync({
        workspaceId: workspace.id,
        flowId: flow.id,
        stepId,
        input: selectedInput.message,
        steps: Object.fromEntries(Object.entries(pins).filter(([id]) => id !== stepId)),
      });
      setStepTestRunId(started.runId);
    } catch (error) {
      const described = describeError(error);
      const list = (error as { data?: { details?: { validation?: Problem[] } } }).data?.details?.validation;
      setStepTestProblem({
        stepId,
        message: list?.length ? `${described.message} ${list.map((p) => p.message).join(" ")}` : described.message,
      });
    }
  }

  const add = useCallback(
    (entry: PaletteEntry, position?: { x: number; y: number }) => {
      if (readOnly) return;
      let added = "";
      draft.change((g) => {
        const result = addStep(g, entry, {
          ...(position ? { position } : {}),
          after: selectedStep && { step: selectedStep, entry: byType.get(selectedStep.type) },
          flowName: flow.name,
        });
        added = result.id;
        return result.graph;
      });
      // The new step is selected so its panel opens; React Flow renders it first.
      setTimeout(() => {
        setSelected(new Set([added]));
        setTab("step");
      });
    },
    [draft, readOnly, selectedStep, byType, flow.name],
  );

  async function publishNow() {
    const attempted = draft.graph;
    setRefusal(null);
    try {
      await draft.flush();
      await publish.mutateAsync({ workspaceId: workspace.id, flowId: flow.id });
    } catch (error) {
      const described = describeError(error);
      const list = (error as { data?: { details?: { validation?: Problem[] } } }).data?.details?.validation;
      setRefusal({
        message: list?.length ? `${described.message} ${list.map((p) => p.message).join(" ")}` : described.message,
        graph: attempted,
      });
    }
  }

  // Keyboard shortcuts, except while typing in a field.
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const target = event.target as HTMLElement;
      if (target.closest("input, textarea, select, [contenteditable=true], .cm-editor")) return;
      const mod = event.metaKey || event.ctrlKey;
      const key = event.key.toLowerCase();
      // Undo and redo change the draft: not while it is read-only (a viewer, an old version on the canvas).
      if (mod && key === "z" && !event.shiftKey && !readOnly) draft.undo();
      else if (mod && ((key === "z" && event.shiftKey) || key === "y") && !readOnly) draft.redo();
      else if (mod && key === "c") clipboard.current = copySteps(graph, selected);
      else if (mod && key === "v" && clipboard.current && !readOnly) {
        const copied = clipboard.current;
        let ids: string[] = [];
        draft.change((g) => {
          const result = pasteSteps(g, copied);
          ids = result.ids;
          return result.graph;
        });
        setTimeout(() => setSelected(new Set(ids)));
      } else if (mod && key === "a") setSelected(new Set(graph.steps.map((step) => step.id)));
      else if (event.shiftKey && event.key === "!") void reactFlow.fitView({ padding: 0.2, duration: 200 });
      else return;
      event.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [draft, graph, selected, readOnly, reactFlow]);

  const base = `/w/${workspace.slug}`;
  return (
    <SampleMessage.Provider value={sample}>
      <ExpressionHintsContext.Provider value={hints}>
        <div className="relative left-1/2 -my-8 flex h-[calc(100vh-87px)] w-screen -translate-x-1/2 flex-col bg-slate-50">
          <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-white px-4 py-2">
            <Link href={`${base}/flows`} className="text-sm text-slate-500 hover:text-slate-800">
              ← Flows
            </Link>
            <h1 className="truncate text-base font-semibold">{flow.name}</h1>
            <StatusBadge status={published ? status : "draft"} />
            {published && status === "active" ? <TriggerStatuses flowId={flow.id} /> : null}
            {published ? (
              <Link href={`${base}/flows/${flow.id}/dead-letters`} className="text-sm text-brand-700 hover:underline">
                Dead letters
              </Link>
            ) : null}
            <SaveIndicator state={draft.save} />
            {changes?.any && running ? (
              <ChangesDialog
                diff={changes}
                steps={[...(runningGraph.data?.graph.steps ?? []), ...draft.graph.steps]}
                entries={byType}
                version={running.number}
              />
            ) : null}
            <div className="ml-auto flex flex-wrap items-center gap-1.5">
              <span className={`text-sm ${problems.length ? "text-red-700" : "text-emerald-700"}`} aria-live="polite">
                {problems.length
                  ? `${problems.length} problem${problems.length === 1 ? "" : "s"}`
                  : validation.data
                    ? "Valid"
                    : ""}
              </span>
              {editable ? (
                <>
                  <Button variant="ghost" onClick={draft.undo} disabled={!draft.canUndo} aria-label="Undo">
                    ↶
                  </Button>
                  <Button variant="ghost" onClick={draft.redo} disabled={!draft.canRedo} aria-label="Redo">
                    ↷
                  </Button>
                </>
              ) : null}
              <Link
                href={`${base}/flows/${flow.id}/statistics`}
                className="px-2 text-sm text-slate-600 hover:text-slate-900"
              >
                Statistics
              </Link>
              <ShortcutsHelp />
              {workspace.can("flows.operate") && published ? (
                <Button
                  variant="secondary"
                  busy={setStatus.isPending}
                  onClick={() =>
                    setStatus.mutate({
                      workspaceId: workspace.id,
                      flowId: flow.id,
                      status: status === "active" ? "paused" : "active",
                    })
                  }
                >
                  {status === "active" ? "Pause" : "Activate"}
                </Button>
              ) : null}
              {workspace.can("flows.publish") ? (
                <Button onClick={() => void publishNow()} busy={publish.isPending} disabled={viewing !== null}>
                  Publish
                </Button>
              ) : null}
            </div>
          </div>
          {publishProblem ? (
            <div className="border-b border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800" role="alert">
              {publishProblem}
            </div>
          ) : null}
          {publish.isSuccess && !publishProblem ? (
            <div className="border-b border-emerald-200 bg-emerald-50 px-4 py-2 text-sm text-emerald-800" role="status">
              Published version {publish.data.number}. It runs from now on.
            </div>
          ) : null}
          {editable ? null : (
            <div className="border-b border-slate-300 bg-slate-100 px-4 py-2 text-sm text-slate-800" role="status">
              <strong className="font-semibold">Read only.</strong> As {workspace.role === "operator" ? "an" : "a"}{" "}
              {workspace.role} you can look at this flow, its steps and versions, but not change them; an admin can make
              you an editor.
            </div>
          )}
          {viewing ? (
            <div className="border-b border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-900" role="status">
              Viewing version {viewing.number} (read-only).{" "}
              <button type="button" className="underline" onClick={() => setViewing(null)}>
                Back to the draft
              </button>
            </div>
          ) : null}
          <div className="flex min-h-0 flex-1">
            {readOnly ? null : <Palette entries={entries} onAdd={(entry) => add(entry)} />}
            <Canvas
              graph={graph}
              entries={byType}
              errorsByStep={errorsByStep}
              runStates={viewing ? {} : watched.states}
              selected={selected}
              readOnly={readOnly}
              onSelect={setSelected}
              onChange={draft.change}
              onDropEntry={(entry, position) => add(entry, position)}
            />
            <PanelResizer panel={panelRef} onResize={setPanelWidth} />
            <aside
              ref={panelRef}
              aria-label="Panel"
              style={panelWidth ? { width: panelWidth } : undefined}
              className={`flex shrink-0 flex-col border-l border-slate-200 bg-white ${tab === "step" && selectedStep ? "w-96 min-[1400px]:w-[46rem]" : "w-96"}`}
            >
              <div role="tablist" className="flex border-b border-slate-200 text-sm">
                {(["step", "test", "versions"] as const).map((name) => (
                  <button
                    key={name}
                    type="button"
                    role="tab"
                    aria-selected={tab === name}
                    onClick={() => setTab(name)}
                    className="flex-1 border-b-2 border-transparent px-3 py-2 capitalize text-slate-600 aria-selected:border-brand-600 aria-selected:font-medium aria-selected:text-slate-900"
                  >
                    {name === "step" ? "Step" : name === "test" ? "Test" : "Versions"}
                  </button>
                ))}
              </div>
              <div className="min-h-0 flex-1 overflow-y-auto p-4">
                {tab === "step" ? (
                  selectedStep ? (
                    // Input and output beside the form where the screen is wide enough, under it where it is not.
                    <div className="grid grid-cols-1 gap-4 min-[1400px]:grid-cols-2">
                      <div className="order-2 min-[1400px]:order-none">
                        <StepData
                          flowId={flow.id}
                          stepId={selectedStep.id}
                          isTrigger={isTrigger(selectedStep.id)}
                          input={selectedInput}
                          pinned={pins[selectedStep.id]}
                          result={selectedResult}
                          testing={testStep.isPending || Boolean(stepTestRunId && !stepTest.ended)}
                          problem={stepTestProblem?.stepId === selectedStep.id ? stepTestProblem.message : null}
                          canEdit={editable && viewing === null}
                          onTest={() => void runStepTest(selectedStep.id)}
                          onPin={(message) => pin(selectedStep.id, message)}
                          onInput={(input) => setPickedInput(input ? { stepId: selectedStep.id, input } : null)}
                        />
                      </div>
                      <StepPanel
                        flowId={flow.id}
                        step={selectedStep}
                        entry={byType.get(selectedStep.type)}
                        problems={viewing ? [] : problems.filter((p) => p.stepId === selectedStep.id)}
                        pinned={pins[selectedStep.id]}
                        published={published}
                        readOnly={readOnly}
                        onChange={(patch) => draft.change((g) => updateStep(g, selectedStep.id, patch))}
                        onRemove={() => {
                          draft.change((g) => removeSteps(g, new Set([selectedStep.id])));
                          setSelected(new Set());
                        }}
                      />
                    </div>
                  ) : (
                    <FlowOverview problems={viewing ? [] : problems} selectedCount={selected.size} />
                  )
                ) : null}
                {tab === "test" ? (
                  <TestPanel
                    flowId={flow.id}
                    run={watched.run}
                    selectedStepId={selectedStep?.id ?? null}
                    onStarted={setTestRunId}
                    beforeRun={draft.flush}
                    sample={sampleText}
                    onSample={setSampleText}
                    trigger={sampleTrigger ? (graph.steps.find((step) => step.id === sampleTrigger) ?? null) : null}
                    pinned={triggerPin}
                    canPin={editable && viewing === null}
                    onPin={(message) => sampleTrigger && pin(sampleTrigger, message)}
                  />
                ) : null}
                {tab === "versions" ? (
                  <VersionsPanel
                    flowId={flow.id}
                    viewing={viewing?.number ?? null}
                    onView={setViewing}
                    onRestore={(restored) => {
                      setViewing(null);
                      draft.replace(restored);
                    }}
                  />
                ) : null}
              </div>
            </aside>
          </div>
        </div>
      </ExpressionHintsContext.Provider>
    </SampleMessage.Provider>
  );
}

function SaveIndicator({ state }: { state: SaveState }) {
  const text = {
    saved: "Saved",
    unsaved: "Unsaved changes",
    saving: "Saving…",
    conflict: "Not saved",
    failed: "Not saved",
  }[state.kind];
  return (
    <span
      aria-live="polite"
      data-testid="save-state"
      className={`text-xs ${state.kind === "conflict" || state.kind === "failed" ? "text-red-700" : "text-slate-500"}`}
      title={"message" in state ? state.message : undefined}
    >
      {text}
      {"message" in state ? `: ${state.message}` : ""}
    </span>
  );
}

function FlowOverview({ problems, selectedCount }: { problems: Problem[]; selectedCount: number }) {
  return (
    <div className="space-y-3 text-sm">
      <p className="text-slate-600">
        {selectedCount > 1
          ? `${selectedCount} steps selected: copy, delete or drag them together.`
          : "Select a step to configure it. Drag from a step's output dot to another step to connect them."}
      </p>
      {problems.length ? (
        <section>
          <h2 className="text-sm font-semibold text-red-800">What keeps this flow from publishing</h2>
          <ul className="mt-1 list-disc space-y-1 pl-5 text-red-800">
            {problems.map((problem) => (
              <li key={`${problem.code}:${problem.stepId ?? ""}:${problem.field ?? ""}:${problem.message}`}>
                {problem.message}
              </li>
            ))}
          </ul>
        </section>
      ) : (
        <p className="text-emerald-700">No problems: the draft can be published.</p>
      )}
    </div>
  );
}

/** How the flow's subscription triggers are doing (queues, streams, topics, listeners), refreshed every few seconds. */
function TriggerStatuses({ flowId }: { flowId: string }) {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const statuses = useQuery({
    ...trpc.flows.triggerStatuses.queryOptions({ workspaceId: workspace.id, flowIds: [flowId] }),
    refetchInterval: 5000,
  });
  const list = statuses.data?.[flowId] ?? [];
  if (!list.length) return null;
  return (
    <section className="flex flex-col gap-0.5" aria-label="Trigger status">
      {list.map((status) => (
        <TriggerStatusLine key={status.stepId} status={status} showStep={list.length > 1} />
      ))}
    </section>
  );
}
