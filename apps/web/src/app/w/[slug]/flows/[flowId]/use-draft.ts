"use client";
// The draft being edited: its graph with undo/redo, and autosave. Every change is saved a moment after the
// last one with the revision it started from; if someone else saved in between, the server refuses and the
// builder says so instead of overwriting their work.
import { useMutation } from "@tanstack/react-query";
import type { FlowDetail } from "@tributary/core";
import { useCallback, useEffect, useRef, useState } from "react";
import { describeError, useTRPC } from "~/trpc/react.tsx";

export type Graph = FlowDetail["draft"];
export type Step = Graph["steps"][number];
export type Edge = Graph["edges"][number];

export type SaveState =
  | { kind: "saved" }
  | { kind: "unsaved" }
  | { kind: "saving" }
  | { kind: "conflict"; message: string }
  | { kind: "failed"; message: string };

const AUTOSAVE_MS = 800;
const HISTORY = 100;

export function useDraft({ workspaceId, flow }: { workspaceId: string; flow: FlowDetail }) {
  const trpc = useTRPC();
  const [graph, setGraph] = useState<Graph>(flow.draft);
  const [save, setSave] = useState<SaveState>({ kind: "saved" });
  const past = useRef<Graph[]>([]);
  const future = useRef<Graph[]>([]);
  const revision = useRef(flow.draftRevision);
  const saveDraft = useMutation(trpc.flows.saveDraft.mutationOptions());

  /** Changes the graph; `record: false` for intermediate states (a drag in progress) that undo skips. */
  const change = useCallback((next: (graph: Graph) => Graph, { record = true } = {}) => {
    setGraph((current) => {
      const updated = next(current);
      if (updated === current) return current;
      if (record) {
        past.current = [...past.current.slice(-HISTORY + 1), current];
        future.current = [];
      }
      return updated;
    });
    setSave((state) => (state.kind === "conflict" ? state : { kind: "unsaved" }));
  }, []);

  const undo = useCallback(() => {
    setGraph((current) => {
      const previous = past.current.pop();
      if (!previous) return current;
      future.current.push(current);
      return previous;
    });
    setSave((state) => (state.kind === "conflict" ? state : { kind: "unsaved" }));
  }, []);

  const redo = useCallback(() => {
    setGraph((current) => {
      const next = future.current.pop();
      if (!next) return current;
      past.current.push(current);
      return next;
    });
    setSave((state) => (state.kind === "conflict" ? state : { kind: "unsaved" }));
  }, []);

  const { mutateAsync } = saveDraft;
  useEffect(() => {
    if (save.kind !== "unsaved") return;
    const timer = setTimeout(async () => {
      setSave({ kind: "saving" });
      try {
        const saved = await mutateAsync({
          workspaceId,
          flowId: flow.id,
          graph,
          baseRevision: revision.current,
        });
        revision.current = saved.revision;
        setSave((state) => (state.kind === "saving" ? { kind: "saved" } : state));
      } catch (error) {
        const { message } = describeError(error);
        const conflict = (error as { data?: { code?: string } }).data?.code === "CONFLICT";
        setSave({ kind: conflict ? "conflict" : "failed", message });
      }
    }, AUTOSAVE_MS);
    return () => clearTimeout(timer);
  }, [save.kind, graph, workspaceId, flow.id, mutateAsync]);

  /** Saves now (before publishing or a test run); resolves when the server has the graph. */
  const flush = useCallback(async () => {
    if (save.kind === "saved") return;
    if (save.kind === "conflict") throw new Error(save.message);
    const saved = await mutateAsync({ workspaceId, flowId: flow.id, graph, baseRevision: revision.current });
    revision.current = saved.revision;
    setSave({ kind: "saved" });
  }, [save, graph, workspaceId, flow.id, mutateAsync]);

  /** Replaces the draft (restoring a version), as one undoable change. */
  const replace = useCallback((next: Graph) => change(() => next), [change]);

  return {
    graph,
    change,
    replace,
    undo,
    redo,
    canUndo: past.current.length > 0,
    canRedo: future.current.length > 0,
    save,
    flush,
  };
}
