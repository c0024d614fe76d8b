"use client";
// A select of the workspace's flows that works however many there are: it offers the first flows by name, and
// when there are more, a search box beside it looks the others up on the server. The chosen flow is always an
// option, whether or not the list shows it.
import { useQuery } from "@tanstack/react-query";
import { useDeferredValue, useState } from "react";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { useTRPC } from "~/trpc/react.tsx";

const LISTED = 100;

export function FlowSelect({
  id,
  value,
  onChange,
  emptyLabel,
  searchLabel,
  className,
}: {
  id: string;
  value: string;
  onChange: (flowId: string) => void;
  /** The option for no flow in particular. */
  emptyLabel: string;
  /** The search box's accessible name (a page may have two of these). */
  searchLabel: string;
  className: string;
}) {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const [search, setSearch] = useState("");
  const words = useDeferredValue(search.trim());
  const first = useQuery(trpc.flows.list.queryOptions({ workspaceId: workspace.id, limit: LISTED }));
  const found = useQuery(
    trpc.flows.list.queryOptions({ workspaceId: workspace.id, limit: LISTED, search: words }, { enabled: !!words }),
  );
  const listed = (words ? found.data?.flows : first.data?.flows) ?? [];
  const chosenListed = !value || listed.some((flow) => flow.id === value);
  const chosen = useQuery(
    trpc.flows.get.queryOptions({ workspaceId: workspace.id, flowId: value }, { enabled: !chosenListed }),
  );
  const options = chosenListed || !chosen.data ? listed : [{ id: value, name: chosen.data.name }, ...listed];

  return (
    <div className="flex flex-wrap gap-2">
      {first.data?.nextCursor ? (
        <input
          type="search"
          aria-label={searchLabel}
          placeholder="Find a flow by name…"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          className={`${className} min-w-0 flex-1`}
        />
      ) : null}
      <select
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        className={`${className} min-w-0 flex-1`}
      >
        <option value="">{emptyLabel}</option>
        {options.map((flow) => (
          <option key={flow.id} value={flow.id}>
            {flow.name}
          </option>
        ))}
      </select>
    </div>
  );
}
