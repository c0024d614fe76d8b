"use client";
// Export the workspace: the browser downloads the archive while this card shows how many runs are written.
import { useMutation, useQuery } from "@tanstack/react-query";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card } from "~/components/page-header.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

export function ExportCard() {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const start = useMutation(
    trpc.exports.start.mutationOptions({
      onSuccess: ({ downloadUrl }) => {
        // A link click hands the download to the browser, which streams it to disk however large it is.
        const link = document.createElement("a");
        link.href = downloadUrl;
        link.download = "";
        link.click();
      },
    }),
  );
  const exportId = start.data?.exportId;
  const progress = useQuery({
    ...trpc.exports.progress.queryOptions({ exportId: exportId ?? "" }),
    enabled: Boolean(exportId),
    refetchInterval: (query) =>
      query.state.data?.status === "done" || query.state.data?.status === "failed" ? false : 500,
  });
  const status = progress.data;
  const busy = start.isPending || (Boolean(exportId) && status?.status !== "done" && status?.status !== "failed");

  return (
    <Card className="p-5">
      <h2 className="font-medium">Export workspace</h2>
      <p className="mt-1 text-sm text-slate-600">
        Downloads a zip archive of the flows with every version, the runs still kept, the audit log and the members.
        Secret values are not included.
      </p>
      {start.error ? <Alert>{describeError(start.error).message}</Alert> : null}
      {status ? (
        <p role="status" className="mt-2 text-sm text-slate-700">
          {status.status === "done"
            ? `Export finished: ${status.runsDone.toLocaleString()} runs.`
            : status.status === "failed"
              ? "The export failed. Start it again."
              : status.runsTotal === null
                ? "Preparing the export…"
                : `Exporting runs: ${status.runsDone.toLocaleString()} of ${status.runsTotal.toLocaleString()}`}
        </p>
      ) : null}
      <Button
        variant="secondary"
        className="mt-3"
        busy={busy}
        onClick={() => start.mutate({ workspaceId: workspace.id })}
      >
        Export workspace
      </Button>
    </Card>
  );
}
