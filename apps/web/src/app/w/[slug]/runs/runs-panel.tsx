"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { type FormEvent, useEffect, useMemo, useState } from "react";
import { Button } from "~/components/button.tsx";
import { FlowSelect } from "~/components/flow-select.tsx";
import { Card, PageHeader } from "~/components/page-header.tsx";
import { QueryRows } from "~/components/query-rows.tsx";
import { BulkRerun } from "~/components/runs/bulk-rerun.tsx";
import { StatusBadge } from "~/components/status-badge.tsx";
import { TimeAgo } from "~/components/time-ago.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { useTRPC } from "~/trpc/react.tsx";

const STATUSES = ["queued", "running", "waiting", "succeeded", "failed", "cancelled"] as const;
type Status = (typeof STATUSES)[number];

type Filters = {
  flowId: string;
  status: Status | "";
  hadErrors: boolean;
  trigger: string;
  id: string;
  headerName: string;
  headerValue: string;
  text: string;
  from: string;
  to: string;
};

const EMPTY: Filters = {
  flowId: "",
  status: "",
  hadErrors: false,
  trigger: "",
  id: "",
  headerName: "",
  headerValue: "",
  text: "",
  from: "",
  to: "",
};

/** The filters live in the address: a reload, a shared link and the back button keep them. */
function filtersOf(params: URLSearchParams): Filters {
  const status = params.get("status") ?? "";
  return {
    ...EMPTY,
    ...Object.fromEntries(
      (Object.keys(EMPTY) as (keyof Filters)[])
        .filter((key) => typeof EMPTY[key] === "string" && params.get(key))
        .map((key) => [key, params.get(key) as string]),
    ),
    status: (STATUSES as readonly string[]).includes(status) ? (status as Status) : "",
    hadErrors: params.get("hadErrors") === "1",
  };
}

function queryOf(filters: Filters): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value === true) params.set(key, "1");
    else if (typeof value === "string" && value) params.set(key, value);
  }
  const query = params.toString();
  return query ? `?${query}` : "";
}

const FIELD = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

/** The transaction log: every run of the workspace, newest first, filtered and paged by cursor. */
export function RunsPanel() {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const query = params.toString();
  const applied = useMemo(() => filtersOf(new URLSearchParams(query)), [query]);
  const [form, setForm] = useState<Filters>(applied);
  // Back and forward change the address: the form follows.
  useEffect(() => setForm(applied), [applied]);
  const input = {
    workspaceId: workspace.id,
    limit: 50,
    ...(applied.flowId ? { flowId: applied.flowId } : {}),
    ...(applied.status ? { status: applied.status } : {}),
    ...(applied.hadErrors ? { hadErrors: true } : {}),
    ...(applied.trigger ? { trigger: applied.trigger } : {}),
    ...(applied.id ? { id: applied.id } : {}),
    ...(applied.headerName ? { header: { name: applied.headerName, value: applied.headerValue } } : {}),
    ...(applied.text ? { text: applied.text } : {}),
    ...(applied.from ? { from: new Date(applied.from) } : {}),
    ...(applied.to ? { to: new Date(applied.to) } : {}),
  };
  const runs = useInfiniteQuery(
    trpc.runs.list.infiniteQueryOptions(input, {
      getNextPageParam: (page) => page.nextCursor ?? undefined,
      refetchInterval: 5_000,
    }),
  );
  const rows = runs.data?.pages.flatMap((page) => page.runs) ?? [];
  const set = (patch: Partial<Filters>) => setForm((current) => ({ ...current, ...patch }));

  function apply(event: FormEvent) {
    event.preventDefault();
    router.push(`${pathname}${queryOf(form)}`, { scroll: false });
  }

  return (
    <>
      <PageHeader title="Runs" description="Every run of this workspace with its messages, newest first." />
      <Card className="mb-4 p-4">
        <form onSubmit={apply} className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <div className="text-sm font-medium text-slate-700">
            <label htmlFor="runs-flow">Flow</label>
            <FlowSelect
              id="runs-flow"
              value={form.flowId}
              onChange={(flowId) => set({ flowId })}
              emptyLabel="All flows"
              searchLabel="Find a flow to filter by"
              className={FIELD}
            />
          </div>
          <label className="text-sm font-medium text-slate-700">
            Status
            <select
              className={FIELD}
              value={form.status}
              onChange={(e) => set({ status: e.target.value as Status | "" })}
            >
              <option value="">Any status</option>
              {STATUSES.map((status) => (
                <option key={status} value={status}>
                  {status}
                </option>
              ))}
            </select>
          </label>
          <label className="text-sm font-medium text-slate-700">
            Trigger
            <select className={FIELD} value={form.trigger} onChange={(e) => set({ trigger: e.target.value })}>
              <option value="">Any trigger</option>
              {["webhook", "schedule", "poll", "manual", "test", "subflow", "rerun"].map((trigger) => (
                <option key={trigger} value={trigger}>
                  {trigger}
                </option>
              ))}
            </select>
          </label>
          <label className="text-sm font-medium text-slate-700">
            Run or message id
            <input className={FIELD} value={form.id} onChange={(e) => set({ id: e.target.value.trim() })} />
          </label>
          <label className="text-sm font-medium text-slate-700">
            Header name
            <input
              className={FIELD}
              placeholder="x-order-id"
              value={form.headerName}
              onChange={(e) => set({ headerName: e.target.value })}
            />
          </label>
          <label className="text-sm font-medium text-slate-700">
            Header value
            <input className={FIELD} value={form.headerValue} onChange={(e) => set({ headerValue: e.target.value })} />
          </label>
          <label className="text-sm font-medium text-slate-700">
            From
            <input
              type="datetime-local"
              className={FIELD}
              value={form.from}
              onChange={(e) => set({ from: e.target.value })}
            />
          </label>
          <label className="text-sm font-medium text-slate-700">
            To
            <input
              type="datetime-local"
              className={FIELD}
              value={form.to}
              onChange={(e) => set({ to: e.target.value })}
            />
          </label>
          <label className="text-sm font-medium text-slate-700 sm:col-span-2 lg:col-span-3">
            Text in the message bodies
            <input className={FIELD} value={form.text} onChange={(e) => set({ text: e.target.value })} />
          </label>
          <label className="flex items-center gap-2 self-end text-sm font-medium text-slate-700">
            <input type="checkbox" checked={form.hadErrors} onChange={(e) => set({ hadErrors: e.target.checked })} />
            Only runs that had errors
          </label>
          <div className="flex items-end gap-2">
            <Button type="submit">Filter</Button>
            <Button
              variant="ghost"
              onClick={() => {
                setForm(EMPTY);
                router.push(pathname, { scroll: false });
              }}
            >
              Clear
            </Button>
          </div>
        </form>
      </Card>
      {/* The bulk re-run takes the same filters (the text and id searches narrow only the list). */}
      {workspace.can("runs.manage") &&
      applied.status &&
      ["failed", "cancelled", "succeeded"].includes(applied.status) &&
      !applied.text &&
      !applied.id &&
      rows.length > 0 ? (
        <Card className="mb-4">
          <BulkRerun
            key={JSON.stringify(applied)}
            filter={{
              ...(applied.flowId ? { flowId: applied.flowId } : {}),
              status: applied.status,
              ...(applied.hadErrors ? { hadErrors: true } : {}),
              ...(applied.trigger ? { trigger: applied.trigger } : {}),
              ...(applied.headerName ? { header: { name: applied.headerName, value: applied.headerValue } } : {}),
              ...(applied.from ? { from: new Date(applied.from) } : {}),
              ...(applied.to ? { to: new Date(applied.to) } : {}),
            }}
          />
        </Card>
      ) : null}
      <Card className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Runs</caption>
          <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
            <tr>
              <th className="px-4 py-2.5 font-medium">Status</th>
              <th className="px-4 py-2.5 font-medium">Flow</th>
              <th className="hidden px-4 py-2.5 font-medium sm:table-cell">Trigger</th>
              <th className="px-4 py-2.5 font-medium">Started</th>
              <th className="hidden px-4 py-2.5 font-medium sm:table-cell">Duration</th>
              <th className="hidden px-4 py-2.5 font-medium lg:table-cell">Message id</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <QueryRows
              query={{ isPending: runs.isPending, error: runs.error, data: rows }}
              columns={6}
              loading="Loading runs…"
              empty="No runs match. Runs appear here as soon as a trigger fires or you press Run test in the builder."
            />
            {rows.map((run) => (
              // The status link stretches over the whole row: a click anywhere opens the run, and the row is one
              // stop for the keyboard (Tab to it, Enter), with the focus ring drawn around the row.
              <tr
                key={run.id}
                className="relative cursor-pointer hover:bg-slate-50 has-[a:focus-visible]:bg-brand-50 has-[a:focus-visible]:outline-2 has-[a:focus-visible]:outline-brand-500"
              >
                <td className="px-4 py-2.5">
                  <Link
                    href={`/w/${workspace.slug}/runs/${run.id}`}
                    aria-label={`Run ${run.id}: ${run.status}${run.hadErrors ? ", had errors" : ""}, ${run.flowName}`}
                    className="inline-flex gap-1 outline-none after:absolute after:inset-0 after:content-['']"
                  >
                    <StatusBadge status={run.status} />
                    {run.hadErrors ? <StatusBadge status="had errors" /> : null}
                  </Link>
                </td>
                <td className="px-4 py-2.5">
                  <span className="font-medium">{run.flowName}</span>
                  <span className="ml-1 text-xs text-slate-500">{run.isTest ? "draft test" : `v${run.version}`}</span>
                </td>
                <td className="hidden px-4 py-2.5 text-slate-600 sm:table-cell">{run.trigger}</td>
                <td className="px-4 py-2.5 text-slate-600">
                  <TimeAgo at={run.startedAt ?? run.queuedAt} />
                </td>
                <td className="hidden px-4 py-2.5 text-slate-600 sm:table-cell">
                  {run.durationMs === null ? "–" : `${run.durationMs} ms`}
                </td>
                <td className="hidden max-w-48 truncate px-4 py-2.5 font-mono text-xs text-slate-500 lg:table-cell">
                  {run.messageId}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      {runs.hasNextPage ? (
        <div className="mt-3 text-center">
          <Button variant="secondary" busy={runs.isFetchingNextPage} onClick={() => void runs.fetchNextPage()}>
            Older runs
          </Button>
        </div>
      ) : null}
    </>
  );
}
