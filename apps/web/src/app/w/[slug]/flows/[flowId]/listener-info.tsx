"use client";
import { useQuery } from "@tanstack/react-query";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { useTRPC } from "~/trpc/react.tsx";
import { CopyLine } from "./webhook-info.tsx";

/** The port an MLLP listener was given, which the sending system is configured with. */
export function ListenerInfo({ flowId, stepId, published }: { flowId: string; stepId: string; published: boolean }) {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const ports = useQuery({
    ...trpc.flows.listenerPorts.queryOptions({ workspaceId: workspace.id, flowId }),
    // The worker assigns the port within seconds of publishing: look again until it has.
    refetchInterval: (query) => (query.state.data?.some((entry) => entry.stepId === stepId) ? false : 3000),
  });
  const port = ports.data?.find((entry) => entry.stepId === stepId)?.port;
  return (
    <section aria-label="MLLP port" className="space-y-1 rounded-md border border-slate-200 bg-slate-50 p-3 text-sm">
      {port ? (
        <CopyLine label="Port (on your Tributary workers' address)" value={String(port)} />
      ) : (
        <p className="text-xs text-slate-600">
          {published
            ? "A worker assigns this listener its port within a few seconds…"
            : "Publish the flow: a worker then assigns this listener a port from the workers' range."}
        </p>
      )}
    </section>
  );
}
