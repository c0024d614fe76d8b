"use client";
import { useQuery } from "@tanstack/react-query";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { useTRPC } from "~/trpc/react.tsx";

/**
 * The next five times a schedule or poll fires, as the scheduler computes them. A timing with a problem is not
 * explained here when the panel shows the step's problems already (validation finds the same one, at its field).
 */
export function FireTimes({ config, problemsShown }: { config: Record<string, unknown>; problemsShown: boolean }) {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const times = useQuery(trpc.flows.fireTimes.queryOptions({ workspaceId: workspace.id, config }));
  const result = times.data;
  return (
    <section aria-label="Next fire times" className="rounded-md border border-slate-200 bg-slate-50 p-3 text-sm">
      <div className="text-xs font-medium text-slate-600">Next fire times</div>
      {result && "problem" in result ? (
        <p className="mt-1 text-xs text-red-600">
          {problemsShown ? "None until the timing above is corrected." : result.problem}
        </p>
      ) : null}
      {result && "times" in result ? (
        <ol className="mt-1 space-y-0.5 font-mono text-xs text-slate-700">
          {result.times.map((time) => (
            <li key={time}>{new Date(time).toLocaleString()}</li>
          ))}
          {result.times.length === 0 ? <li>None: the schedule has ended.</li> : null}
        </ol>
      ) : null}
    </section>
  );
}
