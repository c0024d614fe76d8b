"use client";
// The draft being edited: its graph with undo/redo, and autosave. Every change is saved a moment after the
// last one with the revision it started from; if someone else saved in between, the server refuses and the
// builder says so instead of overwriting their work. Saves go one at a time, each from the revision the one
// before it returned: two at once would carry the same revision, and the server would refuse the second as if
// someone else had saved (a Publish clicked while the autosave of the last edit was still on its way was
// refused that way, the editor told to reload to see its own change). A save that took becomes the flow as
// loaded (the query's cache), and a builder opened again while a save is on its way (leaving saves the last
// edit) waits for it: opened from the cache as first loaded, it showed the draft without that edit, and its
// next save was refused as if someone else had saved.
import { useMutation, useQueryClient } from "@tanstack/react-query";
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

/** The last save asked for of each flow while it is on its way (it settles after the ones before it). */
const savesOnTheirWay = new Map<string, Promise<void>>();

/** False while a save of the flow is on its way (from a builder of it that was left), true once none is. */
export function useSavesSettled(flowId: string): boolean {
  const [settled, setSettled] = useState(() => !savesOnTheirWay.has(flowId));
  useEffect(() => {
    const pending = savesOnTheirWay.get(flowId);
    if (!pending) {
      setSettled(true);
      return;
    }
    let mounted = true;
    void pending.catch(() => undefined).then(() => mounted && setSettled(true));
    return () => {
      mounted = false;
    };
  }, [flowId]);
  return settled;
}

export function useDraft({ workspaceId, flow }: { workspaceId: string; flow: FlowDetail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [graph, setGraph] = useState<Graph>(flow.draft);
  const [save, setSave] = useState<SaveState>({ kind: "saved" });
  const past = useRef<Graph[]>([]);
  const future = useRef<Graph[]>([]);
  const revision = useRef(flow.draftRevision);
  /** The graph the server has, as of the last save that took. */
  const stored = useRef<Graph>(flow.draft);
  /** The last save asked for (it settles after every one asked before it), and how many have not settled. */
  const queue = useRef<Promise<void>>(Promise.resolve());
  const unsettled = useRef(0);
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
  /** Saves `target` once every save asked for before it has settled, from the revision they left. */
  const store = useCallback(
    (target: Graph): Promise<void> => {
      unsettled.current += 1;
      const attempt = queue.current
        .catch(() => undefined)
        .then(async () => {
          if (target === stored.current) return;
          const saved = await mutateAsync({
            workspaceId,
            flowId: flow.id,
            graph: target,
            baseRevision: revision.current,
          });
          revision.current = saved.revision;
          stored.current = target;
          queryClient.setQueryData(
            trpc.flows.get.queryKey({ workspaceId, flowId: flow.id }),
            (loaded) => loaded && { ...loaded, draft: target, draftRevision: saved.revision },
          );
        })
        .finally(() => {
          unsettled.current -= 1;
          if (savesOnTheirWay.get(flow.id) === attempt) savesOnTheirWay.delete(flow.id);
        });
      queue.current = attempt;
      savesOnTheirWay.set(flow.id, attempt);
      return attempt;
    },
    [workspaceId, flow.id, mutateAsync, queryClient, trpc],
  );
  /** "Saving…" becomes "Saved" when no save is left and no change came meanwhile (that made it "unsaved"). */
  const settled = useCallback(() => {
    setSave((state) => (state.kind === "saving" && unsettled.current === 0 ? { kind: "saved" } : state));
  }, []);
  /** A refused save; one that failed otherwise (the network) is left to a later save still on its way. */
  const refused = useCallback((error: unknown) => {
    const { message } = describeError(error);
    const conflict = (error as { data?: { code?: string } }).data?.code === "CONFLICT";
    setSave((state) =>
      conflict ? { kind: "conflict", message } : unsettled.current > 0 ? state : { kind: "failed", message },
    );
  }, []);

  useEffect(() => {
    if (save.kind !== "unsaved") return;
    const timer = setTimeout(() => {
      setSave({ kind: "saving" });
      store(graph).then(settled, refused);
    }, AUTOSAVE_MS);
    return () => clearTimeout(timer);
  }, [save.kind, graph, store, settled, refused]);

  // Leaving with an edit not saved yet: a move within the app (a link, Back) saves it on the way out, and
  // the browser asks before a reload or a closed tab drops it; the autosave's timer would have gone with the page.
  const leaving = useRef({ graph, unsaved: false });
  leaving.current = { graph, unsaved: save.kind === "unsaved" };
  useEffect(
    () => () => {
      if (leaving.current.unsaved) void store(leaving.current.graph).catch(() => undefined);
    },
    [store],
  );
  const pending = save.kind === "unsaved" || save.kind === "saving";
  useEffect(() => {
    if (!pending) return;
    const ask = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", ask);
    return () => window.removeEventListener("beforeunload", ask);
  }, [pending]);

  /**
   * Saves now (before publishing or a test run); resolves when the server has the graph. An autosave on its way
   * is waited for, not raced; one still to come is not needed any more.
   */
  const flush = useCallback(async () => {
    if (save.kind === "saved") return;
    if (save.kind === "conflict") throw new Error(save.message);
    setSave({ kind: "saving" });
    try {
      await store(graph);
    } catch (error) {
      refused(error);
      throw error;
    }
    settled();
  }, [save, graph, store, settled, refused]);

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
