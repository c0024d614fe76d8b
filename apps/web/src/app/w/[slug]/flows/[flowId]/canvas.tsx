"use client";
// The React Flow canvas over the draft graph. The graph is the one source of truth: nodes and edges are
// derived from it, and every change React Flow reports becomes a graph edit (drags are recorded for undo when
// they end, a deletion of steps and their edges as one).
import {
  Background,
  type Connection,
  Controls,
  type EdgeChange,
  type Edge as FlowEdge,
  MarkerType,
  type NodeChange,
  ReactFlow,
  useReactFlow,
  useUpdateNodeInternals,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import type { PaletteEntry } from "@tributary/core";
import { type DragEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { RunStates } from "~/components/runs/use-watched-run.ts";
import { connect, moveSteps, outputsOf, removeEdges, removeSteps } from "./graph-edits.ts";
import { DRAG_TYPE } from "./palette.tsx";
import { type StepNode, StepNodeView } from "./step-node.tsx";
import type { Edge, Graph } from "./use-draft.ts";

const NODE_TYPES = { step: StepNodeView };

const edgeId = (edge: Edge) => `${edge.from}:${edge.output}->${edge.to}`;
const NO_ERRORS: string[] = [];
/** Zoomed out further than this, a step's title is hard to read: a flow that does not fit is panned instead. */
const LEGIBLE_ZOOM = 0.4;

export function Canvas({
  graph,
  entries,
  errorsByStep,
  runStates,
  selected,
  readOnly,
  onSelect,
  onChange,
  onDropEntry,
}: {
  graph: Graph;
  entries: Map<string, PaletteEntry>;
  errorsByStep: Map<string, string[]>;
  runStates: RunStates;
  selected: ReadonlySet<string>;
  readOnly: boolean;
  onSelect: (ids: Set<string>) => void;
  onChange: (edit: (graph: Graph) => Graph, options?: { record?: boolean }) => void;
  onDropEntry: (entry: PaletteEntry, position: { x: number; y: number }) => void;
}) {
  const flow = useReactFlow();
  const updateNodeInternals = useUpdateNodeInternals();

  // React Flow measures each step and its handles, and draws a step (and its edges) only once it has. Steps
  // carry what it measured: one handed over without it is hidden and measured again, and one whose measuring
  // was missed that way stayed off the canvas, its edges with it. A step whose outputs change is measured
  // again for its new handles; so is a step added (dropped, clicked in, pasted), which React Flow does not
  // always notice — and once measured, one added out of sight (clicked in after the last step) is shown.
  const measured = useRef(new Map<string, { width: number; height: number }>());
  const outputs = useRef<Map<string, string> | null>(null);
  const toMeasure = useRef(new Set<string>());
  const toReveal = useRef(new Set<string>());
  const frame = useRef(0);
  const pane = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const current = new Map(graph.steps.map((step) => [step.id, outputsOf(step, entries.get(step.type)).join()]));
    for (const [id, handles] of current) {
      if (!outputs.current || outputs.current.get(id) === handles) continue;
      toMeasure.current.add(id);
      if (!outputs.current.has(id)) toReveal.current.add(id);
    }
    outputs.current = current;
    for (const id of measured.current.keys()) if (!current.has(id)) measured.current.delete(id);
    for (const id of toReveal.current) if (!current.has(id)) toReveal.current.delete(id);
    if (!toMeasure.current.size || frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      updateNodeInternals([...toMeasure.current]);
      toMeasure.current.clear();
    });
  }, [graph.steps, entries, updateNodeInternals]);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  /** Brings steps into view: the whole flow if it fits legibly, else the view moves to them. */
  const reveal = useCallback(
    (ids: string[]) => {
      const box = pane.current?.getBoundingClientRect();
      if (!box) return;
      const steps = flow.getNodesBounds(ids);
      const topLeft = flow.flowToScreenPosition(steps);
      const bottomRight = flow.flowToScreenPosition({ x: steps.x + steps.width, y: steps.y + steps.height });
      if (topLeft.x >= box.left && topLeft.y >= box.top && bottomRight.x <= box.right && bottomRight.y <= box.bottom)
        return;
      const all = flow.getNodesBounds(flow.getNodes());
      const zoom = flow.getZoom();
      const fits = Math.min(box.width / (all.width * 1.4), box.height / (all.height * 1.4)) >= LEGIBLE_ZOOM;
      if (fits) void flow.fitView({ padding: 0.2, maxZoom: zoom, duration: 200 });
      else void flow.setCenter(steps.x + steps.width / 2, steps.y + steps.height / 2, { zoom, duration: 200 });
    },
    [flow],
  );

  // Nodes keep their identity while their step is unchanged, so a drag re-renders the dragged step only.
  const cache = useRef(new Map<string, { inputs: unknown[]; node: StepNode }>());
  const nodes = useMemo<StepNode[]>(
    () =>
      graph.steps.map((step, index) => {
        const entry = entries.get(step.type);
        const errors = errorsByStep.get(step.id) ?? NO_ERRORS;
        const inputs = [step, entry, errors.join("\n"), runStates[step.id], selected.has(step.id)];
        const cached = cache.current.get(step.id);
        if (cached?.inputs.every((value, i) => value === inputs[i])) return cached.node;
        const size = measured.current.get(step.id);
        const node: StepNode = {
          id: step.id,
          type: "step",
          position: step.position ?? { x: 80 + index * 260, y: 120 },
          ...(size ? { measured: size } : {}),
          selected: selected.has(step.id),
          data: {
            title: step.name || entry?.title || step.type,
            stepId: step.id,
            kind: entry?.kind ?? "action",
            category: entry?.category ?? "",
            outputs: outputsOf(step, entry),
            errors,
            runState: runStates[step.id],
            disabled: Boolean(step.disabled),
          },
        };
        cache.current.set(step.id, { inputs, node });
        return node;
      }),
    [graph.steps, entries, errorsByStep, runStates, selected],
  );

  // Selected edges live here, not in the graph: React Flow deletes only what its props say is selected.
  const [selectedEdges, setSelectedEdges] = useState<ReadonlySet<string>>(new Set());
  const edges = useMemo<FlowEdge[]>(
    () =>
      graph.edges.map((edge) => ({
        id: edgeId(edge),
        selected: selectedEdges.has(edgeId(edge)),
        source: edge.from,
        sourceHandle: edge.output,
        target: edge.to,
        ...(edge.output !== "out" ? { label: edge.output } : {}),
        markerEnd: { type: MarkerType.ArrowClosed },
        style: edge.output === "error" ? { stroke: "#dc2626" } : undefined,
        animated: runStates[edge.from] === "succeeded" && Boolean(runStates[edge.to]),
      })),
    [graph.edges, runStates, selectedEdges],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<StepNode>[]) => {
      const moved = new Map<string, { x: number; y: number }>();
      let dragEnded = false;
      let selection: Set<string> | null = null;
      const revealed: string[] = [];
      for (const change of changes) {
        if (change.type === "position" && change.position) {
          moved.set(change.id, change.position);
          if (change.dragging === false) dragEnded = true;
        } else if (change.type === "position" && change.dragging === false) {
          dragEnded = true;
        } else if (change.type === "select") {
          selection ??= new Set(selected);
          if (change.selected) selection.add(change.id);
          else selection.delete(change.id);
        } else if (change.type === "dimensions" && change.dimensions) {
          measured.current.set(change.id, change.dimensions);
          if (toReveal.current.delete(change.id)) revealed.push(change.id);
        }
      }
      if (!readOnly && moved.size) onChange((g) => moveSteps(g, moved), { record: false });
      // A drag is one undoable change: record the state as it ends.
      if (!readOnly && dragEnded) onChange((g) => ({ ...g }), { record: true });
      if (selection) onSelect(selection);
      if (revealed.length) requestAnimationFrame(() => reveal(revealed));
    },
    [onChange, onSelect, selected, readOnly, reveal],
  );

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    const removed = new Set(changes.filter((c) => c.type === "remove").map((c) => c.id));
    const selects = changes.filter((c) => c.type === "select");
    if (selects.length || removed.size) {
      setSelectedEdges((current) => {
        const next = new Set(current);
        for (const change of selects) {
          if (change.selected) next.add(change.id);
          else next.delete(change.id);
        }
        for (const id of removed) next.delete(id);
        return next;
      });
    }
  }, []);

  // A deletion (Delete or Backspace) is one edit, steps and edges together, so one undo brings back a step
  // with its connections; React Flow reports the removed nodes and edges as two separate changes.
  const onDelete = useCallback(
    ({ nodes: steps, edges: links }: { nodes: StepNode[]; edges: FlowEdge[] }) => {
      if (readOnly) return;
      const stepIds = new Set(steps.map((step) => step.id));
      const edgeIds = new Set(links.map((link) => link.id));
      onChange((g) => removeEdges(removeSteps(g, stepIds), (e) => edgeIds.has(edgeId(e))));
    },
    [onChange, readOnly],
  );

  const onConnect = useCallback(
    (connection: Connection) => {
      if (readOnly || !connection.source || !connection.target) return;
      onChange((g) =>
        connect(g, { from: connection.source, to: connection.target, output: connection.sourceHandle ?? "out" }),
      );
    },
    [onChange, readOnly],
  );

  const onDrop = useCallback(
    (event: DragEvent) => {
      event.preventDefault();
      const entry = entries.get(event.dataTransfer.getData(DRAG_TYPE));
      if (!entry || readOnly) return;
      onDropEntry(entry, flow.screenToFlowPosition({ x: event.clientX, y: event.clientY }));
    },
    [entries, flow, onDropEntry, readOnly],
  );

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a drop target for palette drags; the palette's buttons add steps by keyboard
    <div
      ref={pane}
      className="relative min-w-0 flex-1"
      onDragOver={(event) => {
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
      }}
      onDrop={onDrop}
    >
      <ReactFlow<StepNode, FlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onDelete={onDelete}
        onConnect={onConnect}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        edgesReconnectable={!readOnly}
        deleteKeyCode={readOnly ? null : ["Backspace", "Delete"]}
        fitView
        fitViewOptions={{ maxZoom: 1.2, padding: 0.2 }}
        minZoom={0.1}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={16} />
        <Controls showInteractive={false} />
      </ReactFlow>
      {graph.steps.length === 0 ? (
        <div className="pointer-events-none absolute inset-0 flex items-center justify-center">
          <p className="max-w-sm rounded-lg border border-dashed border-slate-300 bg-white/90 p-4 text-center text-sm text-slate-600">
            Start with a trigger: drag “Webhook”, “Schedule” or “Manual” from the list on the left, or click it.
          </p>
        </div>
      ) : null}
    </div>
  );
}
