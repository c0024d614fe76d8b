"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card, PageHeader } from "~/components/page-header.tsx";
import { QueryRows } from "~/components/query-rows.tsx";
import { TextField } from "~/components/text-field.tsx";
import { TimeAgo } from "~/components/time-ago.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

/** Topics between flows: what waits on each, for whom, and how much each may keep. Refreshes on its own. */
export function TopicsPanel() {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const topics = useQuery({
    ...trpc.topics.list.queryOptions({ workspaceId: workspace.id }),
    refetchInterval: 5000,
  });
  return (
    <>
      <PageHeader
        title="Topics"
        description="Flows publish messages to topics with a “Publish to topic” step; every flow with a “Topic” trigger on one gets each message published after it subscribed, once. Messages wait here until the subscriber's run has them."
      />
      <Card className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Topics</caption>
          <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
            <tr>
              <th className="px-4 py-2.5 font-medium">Topic</th>
              <th className="px-4 py-2.5 font-medium">Depth</th>
              <th className="px-4 py-2.5 font-medium">Oldest waiting</th>
              <th className="px-4 py-2.5 font-medium">Subscribers</th>
              <th className="px-4 py-2.5 font-medium">Keeps up to</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <QueryRows
              query={topics}
              columns={5}
              loading="Loading topics…"
              empty="No topics yet. Publish a flow with a “Publish to topic” step or a “Topic” trigger."
            />
            {topics.data?.map((topic) => (
              <tr key={topic.id} className="align-top">
                <td className="px-4 py-3 font-mono">{topic.name}</td>
                <td className="px-4 py-3 tabular-nums">{topic.depth}</td>
                <td className="px-4 py-3 text-slate-600">{topic.oldestAt ? <TimeAgo at={topic.oldestAt} /> : "—"}</td>
                <td className="px-4 py-3">
                  {topic.subscribers.length === 0 ? <span className="text-slate-500">None</span> : null}
                  <ul className="space-y-1">
                    {topic.subscribers.map((subscriber) => (
                      <li key={`${subscriber.flowId}:${subscriber.stepId}`}>
                        <Link
                          className="text-sky-700 hover:underline"
                          href={`/w/${workspace.slug}/flows/${subscriber.flowId}`}
                        >
                          {subscriber.flowName}
                        </Link>{" "}
                        <span className="text-slate-600">
                          {subscriber.depth} waiting
                          {subscriber.oldestAt ? (
                            <>
                              , oldest <TimeAgo at={subscriber.oldestAt} />
                            </>
                          ) : null}
                        </span>
                        {subscriber.lastError ? (
                          <div className="text-xs text-red-700">Last failed delivery: {subscriber.lastError}</div>
                        ) : null}
                      </li>
                    ))}
                  </ul>
                </td>
                <td className="px-4 py-3">
                  <TopicLimits topic={topic} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </>
  );
}

/** The depth and age a topic keeps for a subscriber that does not take its messages; editors change them. */
function TopicLimits({ topic }: { topic: { id: string; name: string; maxDepth: number; maxAgeSeconds: number } }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const [editing, setEditing] = useState(false);
  const [maxDepth, setMaxDepth] = useState(String(topic.maxDepth));
  const [maxAgeHours, setMaxAgeHours] = useState(String(topic.maxAgeSeconds / 3600));
  const update = useMutation(
    trpc.topics.update.mutationOptions({
      onSuccess: () => {
        setEditing(false);
        void queryClient.invalidateQueries({ queryKey: trpc.topics.pathKey() });
      },
    }),
  );
  const summary = `${topic.maxDepth.toLocaleString()} messages, ${topic.maxAgeSeconds / 3600} hours`;
  if (!editing) {
    return (
      <div className="flex items-center gap-2">
        <span className="text-slate-600">{summary}</span>
        {workspace.can("flows.edit") ? (
          <Button variant="ghost" aria-label={`Change the limits of ${topic.name}`} onClick={() => setEditing(true)}>
            Change
          </Button>
        ) : null}
      </div>
    );
  }
  const problem = update.error ? describeError(update.error) : null;
  function submit(event: FormEvent) {
    event.preventDefault();
    update.mutate({
      workspaceId: workspace.id,
      topicId: topic.id,
      maxDepth: Number(maxDepth),
      maxAgeSeconds: Math.round(Number(maxAgeHours) * 3600),
    });
  }
  return (
    <form onSubmit={submit} className="flex flex-wrap items-start gap-2" noValidate>
      <TextField
        label="Depth (messages)"
        inputMode="numeric"
        value={maxDepth}
        onChange={(e) => setMaxDepth(e.target.value)}
        error={problem?.fields.maxDepth}
        className="w-36"
      />
      <TextField
        label="Age (hours)"
        inputMode="decimal"
        value={maxAgeHours}
        onChange={(e) => setMaxAgeHours(e.target.value)}
        error={problem?.fields.maxAgeSeconds}
        className="w-28"
      />
      <Button type="submit" busy={update.isPending} className="mt-6">
        Save
      </Button>
      {problem && !Object.keys(problem.fields).length ? <Alert>{problem.message}</Alert> : null}
    </form>
  );
}
