"use client";
// A run watched live: server-sent events say which step is running or done, and the run is read again on
// each, so the canvas and the step inspector follow it as it happens.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { RunDetail, RunEvent } from "@tributary/core";
import { useEffect, useMemo, useState } from "react";
import { useTRPC } from "~/trpc/react.tsx";

const ENDED = new Set(["succeeded", "failed", "cancelled"]);

/** Each step's state in a run, by step id. */
export type RunStates = Record<string, "running" | "succeeded" | "failed" | "skipped">;

export function useWatchedRun({ workspaceId, runId }: { workspaceId: string; runId: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [live, setLive] = useState<RunStates>({});
  const options = trpc.runs.get.queryOptions({ workspaceId, runId: runId ?? "" });
  const run = useQuery({
    ...options,
    enabled: Boolean(runId),
    // Events nudge; a slow poll covers a lost connection.
    refetchInterval: (query) => (query.state.data && ENDED.has(query.state.data.status) ? false : 2_000),
  });

  useEffect(() => {
    setLive({});
    if (!runId) return;
    const queryKey = trpc.runs.get.queryKey({ workspaceId, runId });
    const source = new EventSource(`/api/runs/${runId}/events?workspaceId=${workspaceId}`);
    source.onmessage = (message) => {
      const event = JSON.parse(message.data) as RunEvent;
      if (event.type === "step") setLive((states) => ({ ...states, [event.stepId]: event.status }));
      void queryClient.invalidateQueries({ queryKey });
    };
    return () => source.close();
  }, [runId, workspaceId, queryClient, trpc]);

  const states = useMemo<RunStates>(() => {
    const fromRun: RunStates = {};
    for (const step of (run.data as RunDetail | undefined)?.steps ?? []) fromRun[step.stepId] = step.status;
    return { ...live, ...fromRun };
  }, [run.data, live]);

  return { run: run.data as RunDetail | undefined, states, ended: Boolean(run.data && ENDED.has(run.data.status)) };
}
