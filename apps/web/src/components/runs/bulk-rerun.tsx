"use client";
// Re-run every run the Runs page's filter shows (e.g. a flow's failed runs since a time, after a fix): the
// version to run them on, then the job's progress until it is done.
import { useMutation, useQuery } from "@tanstack/react-query";
import type { RunFilter } from "@tributary/core";
import { useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";
import { type RerunVersion, RerunVersionChoice } from "./rerun-version-choice.tsx";

export function BulkRerun({ filter }: { filter: RunFilter }) {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const [version, setVersion] = useState<RerunVersion>("current");
  const start = useMutation(trpc.runs.bulkRerun.mutationOptions());
  const operationId = start.data?.id;
  const progress = useQuery({
    ...trpc.runs.bulkRerunProgress.queryOptions({ workspaceId: workspace.id, bulkRerunId: operationId ?? "" }),
    enabled: Boolean(operationId),
    refetchInterval: (query) => (query.state.data?.status === "running" ? 1_000 : false),
  });
  const state = progress.data ?? start.data;

  return (
    <section aria-labelledby="bulk-rerun" className="space-y-3 p-4">
      <h2 id="bulk-rerun" className="text-sm font-semibold">
        Re-run the {filter.status} runs this filter shows
      </h2>
      {state ? (
        <div className="space-y-1.5 text-sm" aria-live="polite">
          <progress
            className="h-2 w-full"
            max={state.total}
            value={state.done + state.failed}
            aria-label="Bulk re-run progress"
          />
          <p>
            {state.status === "running" ? "Re-running…" : "Done:"} {state.done} of {state.total} re-run
            {state.failed ? `, ${state.failed} could not be` : ""}.
          </p>
          {state.lastError ? <p className="text-xs text-slate-500">Last problem: {state.lastError}</p> : null}
        </div>
      ) : (
        <>
          <RerunVersionChoice
            name="bulk-rerun-version"
            value={version}
            onChange={setVersion}
            current="Each flow's current version"
            original="The version each run used"
          />
          <Button busy={start.isPending} onClick={() => start.mutate({ workspaceId: workspace.id, filter, version })}>
            Re-run these runs
          </Button>
        </>
      )}
      {start.error ? <Alert>{describeError(start.error).message}</Alert> : null}
    </section>
  );
}
