"use client";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { FlowListItem } from "@tributary/core";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card, PageHeader } from "~/components/page-header.tsx";
import { QueryRows } from "~/components/query-rows.tsx";
import { StatusBadge } from "~/components/status-badge.tsx";
import { TextField } from "~/components/text-field.tsx";
import { TimeAgo } from "~/components/time-ago.tsx";
import { TriggerStatusLine } from "~/components/trigger-status.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";
import { download, fromFlowFile, toFlowFile } from "./flow-file.ts";

type StatusFilter = "all" | "active" | "paused" | "draft";

function flowState(flow: FlowListItem): "active" | "paused" | "draft" {
  return flow.currentVersion === null ? "draft" : flow.status;
}

export function FlowsPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const workspace = useWorkspace();
  const edit = workspace.can("flows.edit");
  const operate = workspace.can("flows.operate");
  const [search, setSearch] = useState("");
  const [filter, setFilter] = useState<StatusFilter>("all");
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const base = `/w/${workspace.slug}`;

  // The search goes to the server (a page holds 50 flows of however many), a moment after typing stops.
  const [searched, setSearched] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setSearched(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);
  const flows = useInfiniteQuery(
    trpc.flows.list.infiniteQueryOptions(
      {
        workspaceId: workspace.id,
        limit: 50,
        ...(searched ? { search: searched } : {}),
        ...(filter === "all" ? {} : { state: filter }),
      },
      // The rows stay while the next search loads, instead of a "Loading" row at each keystroke.
      { getNextPageParam: (page) => page.nextCursor ?? undefined, placeholderData: (previous) => previous },
    ),
  );
  const shown = flows.data?.pages.flatMap((page) => page.flows) ?? [];
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.flows.list.pathKey() });
  const activeIds = shown.filter((flow) => flowState(flow) === "active").map((flow) => flow.id);
  const triggers = useQuery({
    ...trpc.flows.triggerStatuses.queryOptions({ workspaceId: workspace.id, flowIds: activeIds.slice(0, 500) }),
    enabled: activeIds.length > 0,
    refetchInterval: 5000,
  });
  const create = useMutation(trpc.flows.create.mutationOptions());
  const update = useMutation(trpc.flows.update.mutationOptions({ onSettled: refresh }));
  const setStatus = useMutation(trpc.flows.setStatus.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.flows.delete.mutationOptions({ onSettled: refresh }));
  const failure = update.error ?? setStatus.error ?? remove.error;

  async function createFlow(event: FormEvent) {
    event.preventDefault();
    const created = await create.mutateAsync({ workspaceId: workspace.id, name, description: "" });
    router.push(`${base}/flows/${created.id}`);
  }

  async function importFile(file: File) {
    setProblem(null);
    try {
      const flow = fromFlowFile(await file.text(), file.name.replace(/\.json$/i, ""));
      const created = await create.mutateAsync({ workspaceId: workspace.id, ...flow });
      await refresh();
      router.push(`${base}/flows/${created.id}`);
    } catch (error) {
      setProblem(error instanceof Error && !("data" in error) ? error.message : describeError(error).message);
    }
  }

  async function fetchFlow(flowId: string) {
    return queryClient.fetchQuery(trpc.flows.get.queryOptions({ workspaceId: workspace.id, flowId }));
  }

  async function duplicate(flow: FlowListItem) {
    const source = await fetchFlow(flow.id);
    await create.mutateAsync({
      workspaceId: workspace.id,
      name: `${flow.name} (copy)`,
      description: source.description,
      graph: source.draft,
    });
    await refresh();
  }

  async function exportFlow(flow: FlowListItem) {
    // Connections, security rules and called flows by name, so the file works in another workspace too.
    const source = await queryClient.fetchQuery(
      trpc.flows.export.queryOptions({ workspaceId: workspace.id, flowId: flow.id }),
    );
    const file = toFlowFile(source);
    download(`${flow.name.replace(/[^\w-]+/g, "-").toLowerCase() || "flow"}.json`, file);
  }

  return (
    <>
      <PageHeader
        title="Flows"
        description="Each flow starts from a trigger (a webhook, a schedule, a poll or the Run button) and passes its message from step to step."
        actions={
          edit ? (
            <>
              <Button variant="secondary" onClick={() => fileInput.current?.click()}>
                Import
              </Button>
              <Link
                href={`${base}/flows/templates`}
                className="inline-flex items-center rounded-md bg-white px-3.5 py-2 text-sm font-medium text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50"
              >
                Templates
              </Link>
              <Button onClick={() => setCreating(true)}>New flow</Button>
            </>
          ) : undefined
        }
      />
      <input
        ref={fileInput}
        type="file"
        accept="application/json,.json"
        className="hidden"
        aria-label="Flow file to import"
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = "";
          if (file) void importFile(file);
        }}
      />
      {creating ? (
        <Card className="mb-6 p-5">
          <form onSubmit={createFlow} className="flex flex-wrap items-end gap-3" noValidate>
            <TextField
              label="Flow name"
              value={name}
              autoFocus
              onChange={(e) => setName(e.target.value)}
              error={create.error ? describeError(create.error).fields.name : undefined}
              placeholder="New orders to the warehouse"
              className="min-w-72 flex-1"
            />
            <Button type="submit" busy={create.isPending}>
              Create and open
            </Button>
            <Button variant="ghost" onClick={() => setCreating(false)}>
              Cancel
            </Button>
          </form>
        </Card>
      ) : null}
      {problem || failure ? (
        <div className="mb-4">
          <Alert>{problem ?? describeError(failure).message}</Alert>
        </div>
      ) : null}
      <div className="mb-3 flex flex-wrap gap-3">
        <input
          type="search"
          aria-label="Search flows"
          placeholder="Search flows"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          className="w-64 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm"
        />
        <select
          aria-label="Show"
          value={filter}
          onChange={(e) => setFilter(e.target.value as StatusFilter)}
          className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
        >
          <option value="all">All flows</option>
          <option value="active">Active</option>
          <option value="paused">Paused</option>
          <option value="draft">Never published</option>
        </select>
      </div>
      <Card className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Flows</caption>
          <thead className="border-b border-slate-200 text-xs whitespace-nowrap text-slate-500 uppercase">
            <tr>
              <th className="px-4 py-2.5 font-medium">Flow</th>
              <th className="px-4 py-2.5 font-medium">Status</th>
              <th className="hidden px-4 py-2.5 font-medium md:table-cell">Last run</th>
              <th className="hidden px-4 py-2.5 font-medium md:table-cell">Runs (24 h)</th>
              <th className="hidden px-4 py-2.5 font-medium md:table-cell">Failed (24 h)</th>
              <th className="px-4 py-2.5 font-medium">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <QueryRows
              query={{ ...flows, data: flows.data ? shown : undefined }}
              columns={6}
              loading="Loading flows…"
              empty={
                searched || filter !== "all"
                  ? `No flow matches${searched ? ` “${searched}”` : " this filter"}.`
                  : edit
                    ? "No flows yet. Press “New flow” to draw your first one, start from a template, or import a flow file."
                    : "No flows yet."
              }
            />
            {shown.map((flow) => {
              const state = flowState(flow);
              return (
                <tr key={flow.id}>
                  <td className="px-4 py-3">
                    <Link href={`${base}/flows/${flow.id}`} className="font-medium text-brand-700 hover:underline">
                      {flow.name}
                    </Link>
                    <div className="text-xs text-slate-500">
                      {flow.currentVersion ? `version ${flow.currentVersion}` : "not published"}
                      {flow.description ? ` · ${flow.description}` : ""}
                    </div>
                  </td>
                  <td className="px-4 py-3">
                    <StatusBadge status={state} />
                    {state === "active"
                      ? triggers.data?.[flow.id]?.map((status) => (
                          <div key={status.stepId} className="mt-1">
                            <TriggerStatusLine status={status} />
                          </div>
                        ))
                      : null}
                  </td>
                  <td className="hidden px-4 py-3 text-slate-600 md:table-cell">
                    {flow.lastRun ? (
                      <span className="flex items-center gap-2">
                        <StatusBadge status={flow.lastRun.status} />
                        <TimeAgo at={flow.lastRun.at} />
                      </span>
                    ) : (
                      <span className="text-slate-500">never</span>
                    )}
                  </td>
                  <td className="hidden px-4 py-3 text-slate-600 md:table-cell">
                    <Link href={`${base}/runs?flowId=${flow.id}`} className="hover:underline">
                      {flow.runsLastDay}
                    </Link>
                  </td>
                  <td className="hidden px-4 py-3 md:table-cell">
                    {flow.runsLastDay ? (
                      <span className={flow.failedLastDay ? "font-medium text-red-700" : "text-slate-600"}>
                        {Math.round((100 * flow.failedLastDay) / flow.runsLastDay)} %
                      </span>
                    ) : (
                      <span className="text-slate-500">–</span>
                    )}
                  </td>
                  <td className="px-4 py-3 text-right whitespace-nowrap">
                    {operate && state !== "draft" ? (
                      <Button
                        variant="ghost"
                        onClick={() =>
                          setStatus.mutate({
                            workspaceId: workspace.id,
                            flowId: flow.id,
                            status: flow.status === "active" ? "paused" : "active",
                          })
                        }
                      >
                        {flow.status === "active" ? "Pause" : "Activate"}
                      </Button>
                    ) : null}
                    <Link
                      href={`${base}/flows/${flow.id}/dead-letters`}
                      className="hidden rounded-md px-2 py-2 text-slate-600 hover:bg-slate-100 lg:inline"
                    >
                      Dead letters
                    </Link>
                    <details className="relative inline-block">
                      <summary
                        className="cursor-pointer list-none rounded-md px-2 py-2 text-slate-600 hover:bg-slate-100"
                        aria-label={`More actions for ${flow.name}`}
                      >
                        ⋯
                      </summary>
                      <div className="absolute right-0 z-10 mt-1 flex w-40 flex-col rounded-md border border-slate-200 bg-white p-1 text-left shadow-lg">
                        {edit ? (
                          <button
                            type="button"
                            className="rounded px-3 py-1.5 text-left hover:bg-slate-100"
                            onClick={() => {
                              const next = window.prompt("Rename the flow", flow.name);
                              if (next && next !== flow.name)
                                update.mutate({ workspaceId: workspace.id, flowId: flow.id, name: next });
                            }}
                          >
                            Rename
                          </button>
                        ) : null}
                        {edit ? (
                          <button
                            type="button"
                            className="rounded px-3 py-1.5 text-left hover:bg-slate-100"
                            onClick={() => void duplicate(flow)}
                          >
                            Duplicate
                          </button>
                        ) : null}
                        <button
                          type="button"
                          className="rounded px-3 py-1.5 text-left hover:bg-slate-100"
                          onClick={() => void exportFlow(flow)}
                        >
                          Export
                        </button>
                        {edit ? (
                          <button
                            type="button"
                            className="rounded px-3 py-1.5 text-left text-red-700 hover:bg-red-50"
                            onClick={() => {
                              if (
                                window.confirm(
                                  `Delete the flow "${flow.name}" with its versions and runs? Its webhook URLs stop answering.`,
                                )
                              )
                                remove.mutate({ workspaceId: workspace.id, flowId: flow.id });
                            }}
                          >
                            Delete
                          </button>
                        ) : null}
                      </div>
                    </details>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Card>
      {flows.hasNextPage ? (
        <div className="mt-3 text-center">
          <Button variant="secondary" busy={flows.isFetchingNextPage} onClick={() => void flows.fetchNextPage()}>
            More flows
          </Button>
        </div>
      ) : null}
    </>
  );
}
