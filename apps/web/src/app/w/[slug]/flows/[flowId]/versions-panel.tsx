"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Button } from "~/components/button.tsx";
import { TimeAgo } from "~/components/time-ago.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { useTRPC } from "~/trpc/react.tsx";
import type { Graph } from "./use-draft.ts";

/** Published versions, who published them and when; view one on the canvas or restore it into the draft. */
export function VersionsPanel({
  flowId,
  viewing,
  onView,
  onRestore,
}: {
  flowId: string;
  viewing: number | null;
  onView: (version: { number: number; graph: Graph } | null) => void;
  onRestore: (graph: Graph) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const versions = useQuery(trpc.flows.versions.queryOptions({ workspaceId: workspace.id, flowId }));
  const load = (versionId: string) =>
    queryClient.fetchQuery(trpc.flows.version.queryOptions({ workspaceId: workspace.id, flowId, versionId }));

  if (versions.data?.length === 0) {
    return <p className="text-sm text-slate-500">Not published yet. Publishing freezes the draft into version 1.</p>;
  }
  return (
    <ol className="space-y-2 text-sm">
      {versions.data?.map((version) => (
        <li key={version.id} className="rounded-md border border-slate-200 p-2">
          <div className="flex items-center justify-between">
            <span className="font-medium">
              Version {version.number}
              {version.current ? <span className="ml-1 text-xs text-emerald-700">(running)</span> : null}
            </span>
            <span className="text-xs text-slate-500">
              <TimeAgo at={version.createdAt} />
            </span>
          </div>
          <div className="text-xs text-slate-500">by {version.publishedBy ?? "someone since removed"}</div>
          <div className="mt-1 flex gap-1">
            {viewing === version.number ? (
              <Button variant="ghost" className="!px-2 !py-1 text-xs" onClick={() => onView(null)}>
                Back to the draft
              </Button>
            ) : (
              <Button
                variant="ghost"
                className="!px-2 !py-1 text-xs"
                onClick={async () => onView(await load(version.id))}
              >
                View
              </Button>
            )}
            {workspace.can("flows.edit") ? (
              <Button
                variant="ghost"
                className="!px-2 !py-1 text-xs"
                onClick={async () => {
                  if (!window.confirm(`Replace the draft with version ${version.number}? Undo brings it back.`)) return;
                  onRestore((await load(version.id)).graph);
                }}
              >
                Restore
              </Button>
            ) : null}
          </div>
        </li>
      ))}
    </ol>
  );
}
