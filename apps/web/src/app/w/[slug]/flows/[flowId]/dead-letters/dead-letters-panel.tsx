"use client";
// A flow's dead letters: messages from its queue, stream and poll triggers whose runs failed, with their body
// and error. Replay one, the ones ticked, or every open one (in the background) on the current version, or
// discard them.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { DeadLetterState } from "@tributary/core";
import Link from "next/link";
import { useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card, PageHeader } from "~/components/page-header.tsx";
import { QueryRows } from "~/components/query-rows.tsx";
import { StatusBadge } from "~/components/status-badge.tsx";
import { TimeAgo } from "~/components/time-ago.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

const STATES: { state: DeadLetterState; label: string }[] = [
  { state: "open", label: "Open" },
  { state: "replayed", label: "Replayed" },
  { state: "discarded", label: "Discarded" },
];

export function DeadLettersPanel({ flowId }: { flowId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const manage = workspace.can("runs.manage");
  const base = `/w/${workspace.slug}`;
  const [state, setState] = useState<DeadLetterState>("open");
  const [ticked, setTicked] = useState<Set<string>>(new Set());
  const flow = useQuery(trpc.flows.get.queryOptions({ workspaceId: workspace.id, flowId }));
  const letters = useInfiniteQuery(
    trpc.deadLetters.list.infiniteQueryOptions(
      { workspaceId: workspace.id, flowId, state, limit: 50 },
      { getNextPageParam: (page) => page.nextCursor ?? undefined, refetchInterval: 5_000 },
    ),
  );
  const rows = letters.data?.pages.flatMap((page) => page.deadLetters) ?? [];
  const counts = letters.data?.pages[0]?.counts;
  const refresh = () => {
    setTicked(new Set());
    return queryClient.invalidateQueries({ queryKey: trpc.deadLetters.list.infiniteQueryKey() });
  };
  const replay = useMutation(trpc.deadLetters.replay.mutationOptions({ onSettled: refresh }));
  const discard = useMutation(trpc.deadLetters.discard.mutationOptions({ onSettled: refresh }));
  const replayAll = useMutation(trpc.deadLetters.replayAll.mutationOptions({ onSettled: refresh }));
  const bulk = useQuery({
    ...trpc.runs.bulkRerunProgress.queryOptions({ workspaceId: workspace.id, bulkRerunId: replayAll.data?.id ?? "" }),
    enabled: Boolean(replayAll.data),
    refetchInterval: (query) => (query.state.data?.status === "running" ? 1_000 : false),
  });
  const progress = bulk.data ?? replayAll.data;
  const failure = replay.error ?? discard.error ?? replayAll.error;
  const notReplayed = replay.data?.failed ?? [];
  const selected = [...ticked];
  const act = (runIds: string[]) => ({ workspaceId: workspace.id, flowId, runIds });
  const toggle = (runId: string) =>
    setTicked((current) => {
      const next = new Set(current);
      if (next.has(runId)) next.delete(runId);
      else next.add(runId);
      return next;
    });

  return (
    <>
      <PageHeader
        title={`Dead letters${flow.data ? ` — ${flow.data.name}` : ""}`}
        description="Messages from this flow's queue, stream and poll triggers whose runs failed. Fix the cause, publish, then replay them on the current version — or discard what needs nothing more."
        actions={
          <>
            <Link
              href={`${base}/flows/${flowId}`}
              className="rounded-md px-3 py-2 text-sm text-slate-600 ring-1 ring-slate-300 hover:bg-slate-50"
            >
              Open the flow
            </Link>
            {manage && state === "open" ? (
              <Button
                busy={replayAll.isPending}
                disabled={!counts?.open}
                onClick={() => replayAll.mutate({ workspaceId: workspace.id, flowId })}
              >
                Replay all open{counts ? ` (${counts.open})` : ""}
              </Button>
            ) : null}
          </>
        }
      />
      {progress ? (
        <div className="mb-4 space-y-1.5 text-sm" aria-live="polite">
          <progress
            className="h-2 w-full"
            max={progress.total}
            value={progress.done + progress.failed}
            aria-label="Replay progress"
          />
          <p>
            {progress.status === "running" ? "Replaying…" : "Done:"} {progress.done} of {progress.total} replayed
            {progress.failed ? `, ${progress.failed} could not be` : ""}.
          </p>
          {progress.lastError ? <p className="text-xs text-slate-500">Last problem: {progress.lastError}</p> : null}
        </div>
      ) : null}
      {failure ? (
        <div className="mb-4">
          <Alert>{describeError(failure).message}</Alert>
        </div>
      ) : null}
      {notReplayed.length ? (
        <div className="mb-4">
          <Alert>
            {notReplayed.length} could not be replayed: {notReplayed[0]?.error}
          </Alert>
        </div>
      ) : null}
      <div className="mb-3 flex flex-wrap items-center gap-2">
        <div role="tablist" aria-label="State" className="flex gap-1">
          {STATES.map((option) => (
            <button
              key={option.state}
              type="button"
              role="tab"
              aria-selected={state === option.state}
              onClick={() => {
                setState(option.state);
                setTicked(new Set());
              }}
              className={`rounded-md px-3 py-1.5 text-sm ${state === option.state ? "bg-slate-800 text-white" : "text-slate-700 hover:bg-slate-100"}`}
            >
              {option.label}
              {counts ? ` (${counts[option.state]})` : ""}
            </button>
          ))}
        </div>
        {manage && selected.length ? (
          <div className="ml-auto flex gap-2">
            <Button variant="secondary" busy={replay.isPending} onClick={() => replay.mutate(act(selected))}>
              Replay {selected.length} selected
            </Button>
            {state !== "discarded" ? (
              <Button variant="secondary" busy={discard.isPending} onClick={() => discard.mutate(act(selected))}>
                Discard {selected.length} selected
              </Button>
            ) : null}
          </div>
        ) : null}
      </div>
      <Card className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Dead letters</caption>
          <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
            <tr>
              {manage ? (
                <th className="w-8 px-4 py-2.5">
                  <span className="sr-only">Select</span>
                </th>
              ) : null}
              <th className="px-4 py-2.5 font-medium">Received</th>
              <th className="px-4 py-2.5 font-medium">Message</th>
              <th className="px-4 py-2.5 font-medium">Error</th>
              <th className="px-4 py-2.5 font-medium">State</th>
              <th className="px-4 py-2.5 font-medium">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <QueryRows
              query={{ ...letters, data: letters.data ? rows : undefined }}
              columns={manage ? 6 : 5}
              loading="Loading dead letters…"
              empty={state === "open" ? "No open dead letters: every message of this flow's triggers ran." : "None."}
            />
            {rows.map((letter) => (
              <tr key={letter.runId} className="align-top">
                {manage ? (
                  <td className="px-4 py-3">
                    <input
                      type="checkbox"
                      aria-label={`Select the message ${letter.messageId}`}
                      checked={ticked.has(letter.runId)}
                      onChange={() => toggle(letter.runId)}
                    />
                  </td>
                ) : null}
                <td className="px-4 py-3 whitespace-nowrap text-slate-600">
                  <TimeAgo at={letter.receivedAt} />
                  <div className="text-xs text-slate-500">
                    {letter.trigger} · v{letter.version}
                  </div>
                </td>
                <td className="max-w-md px-4 py-3">
                  <pre className="max-h-32 overflow-auto rounded bg-slate-50 p-2 text-xs whitespace-pre-wrap break-all">
                    {letter.body}
                    {letter.bodyTruncated ? "…" : ""}
                  </pre>
                </td>
                <td className="max-w-sm px-4 py-3 text-red-800">
                  {letter.error.message}
                  {letter.error.stepId ? (
                    <div className="text-xs text-slate-500">at step {letter.error.stepId}</div>
                  ) : null}
                </td>
                <td className="px-4 py-3 whitespace-nowrap">
                  <StatusBadge status={letter.state} />
                  {letter.replay ? (
                    <div className="mt-1 text-xs">
                      <Link href={`${base}/runs/${letter.replay.runId}`} className="text-brand-700 hover:underline">
                        replay {letter.replay.status}
                      </Link>
                    </div>
                  ) : null}
                </td>
                <td className="px-4 py-3 text-right whitespace-nowrap">
                  <Link href={`${base}/runs/${letter.runId}`} className="mr-2 text-brand-700 hover:underline">
                    Run
                  </Link>
                  {manage ? (
                    <Button
                      variant="ghost"
                      aria-label={`Replay the message ${letter.messageId}`}
                      onClick={() => replay.mutate(act([letter.runId]))}
                    >
                      Replay
                    </Button>
                  ) : null}
                  {manage && letter.state !== "discarded" ? (
                    <Button
                      variant="ghost"
                      aria-label={`Discard the message ${letter.messageId}`}
                      onClick={() => discard.mutate(act([letter.runId]))}
                    >
                      Discard
                    </Button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      {letters.hasNextPage ? (
        <div className="mt-3 text-center">
          <Button variant="secondary" busy={letters.isFetchingNextPage} onClick={() => void letters.fetchNextPage()}>
            Older dead letters
          </Button>
        </div>
      ) : null}
    </>
  );
}
