"use client";
// The workspace's front page: where to start (a new flow, a template), and what needs a look (failed runs, the
// webhook URLs the flows answer at).
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { Button } from "~/components/button.tsx";
import { Card, PageHeader } from "~/components/page-header.tsx";
import { TextField } from "~/components/text-field.tsx";
import { TimeAgo } from "~/components/time-ago.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";
import { templatesFor } from "./flows/templates/templates-for.ts";

const LINK = "text-sm font-medium text-brand-700 hover:underline";

export function Overview() {
  const workspace = useWorkspace();
  const base = `/w/${workspace.slug}`;
  return (
    <>
      <PageHeader
        title={workspace.name}
        description={`You are ${article(workspace.role)} ${workspace.role} of this workspace.`}
      />
      <div className="grid gap-4 md:grid-cols-2">
        {workspace.can("flows.edit") ? <StartCard /> : null}
        {workspace.can("runs.read") ? <FailuresCard /> : null}
        {workspace.can("flows.read") ? <WebhooksCard /> : null}
        <Card className="p-5">
          <h2 className="font-medium">Team</h2>
          <p className="mt-1 text-sm text-slate-600">See who is in this workspace and what each role may do.</p>
          <Link href={`${base}/members`} className={`mt-3 inline-block ${LINK}`}>
            {workspace.can("members.manage") ? "Invite your team →" : "See members →"}
          </Link>
          {workspace.can("audit.read") ? (
            <Link href={`${base}/audit`} className={`mt-3 ml-4 inline-block ${LINK}`}>
              Audit log →
            </Link>
          ) : null}
        </Card>
      </div>
    </>
  );
}

function StartCard() {
  const trpc = useTRPC();
  const router = useRouter();
  const workspace = useWorkspace();
  const [name, setName] = useState("");
  const create = useMutation(trpc.flows.create.mutationOptions());
  const templates = useQuery(trpc.flows.templates.queryOptions({ workspaceId: workspace.id, search: "" }));
  const base = `/w/${workspace.slug}`;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const created = await create.mutateAsync({ workspaceId: workspace.id, name, description: "" });
    router.push(`${base}/flows/${created.id}`);
  }

  return (
    <Card className="p-5">
      <h2 className="font-medium">Build a flow</h2>
      <form
        onSubmit={(event) => void submit(event).catch(() => undefined)}
        className="mt-3 flex flex-wrap items-end gap-2"
      >
        <TextField
          label="Name of a new flow"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="New orders to the warehouse"
          error={create.error ? describeError(create.error).message : undefined}
          className="min-w-0 flex-1"
        />
        <Button type="submit" busy={create.isPending}>
          Create flow
        </Button>
      </form>
      <p className="mt-4 text-sm text-slate-600">Or start from a working template:</p>
      <ul className="mt-1 space-y-1 text-sm">
        {templatesFor(templates.data ?? [], workspace)
          .slice(0, 3)
          .map((template) => (
            <li key={template.id}>
              <Link href={`${base}/flows/templates?search=${encodeURIComponent(template.title)}`} className={LINK}>
                {template.title}
              </Link>
            </li>
          ))}
      </ul>
      <Link href={`${base}/flows/templates`} className={`mt-2 inline-block ${LINK}`}>
        Browse {templates.data ? `all ${templates.data.length} ` : ""}templates →
      </Link>
    </Card>
  );
}

function FailuresCard() {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const failed = useQuery(
    trpc.runs.list.queryOptions({ workspaceId: workspace.id, status: "failed", limit: 5 }, { refetchInterval: 10_000 }),
  );
  const base = `/w/${workspace.slug}`;
  const runs = failed.data?.runs ?? [];
  return (
    <Card className="p-5">
      <h2 className="font-medium">Recent failures</h2>
      {failed.error ? <p className="mt-1 text-sm text-red-700">{describeError(failed.error).message}</p> : null}
      {failed.data && runs.length === 0 ? (
        <p className="mt-1 text-sm text-slate-600">No run has failed. Failed runs show here with their error.</p>
      ) : null}
      <ul className="mt-2 divide-y divide-slate-100">
        {runs.map((run) => (
          <li key={run.id} className="py-2">
            <Link href={`${base}/runs/${run.id}`} className="block rounded hover:bg-slate-50">
              <span className="text-sm font-medium text-brand-700">{run.flowName}</span>{" "}
              <span className="text-xs text-slate-500">
                <TimeAgo at={run.finishedAt ?? run.queuedAt} />
              </span>
              {run.error ? (
                <span className="mt-0.5 block truncate text-xs text-red-700">
                  {run.error.stepId ? `${run.error.stepId}: ` : ""}
                  {run.error.message}
                </span>
              ) : null}
            </Link>
          </li>
        ))}
      </ul>
      <Link href={`${base}/runs?status=failed`} className={`mt-2 inline-block ${LINK}`}>
        All failed runs →
      </Link>
    </Card>
  );
}

function WebhooksCard() {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const routes = useQuery(trpc.flows.webhookUrls.queryOptions({ workspaceId: workspace.id }));
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  const base = `/w/${workspace.slug}`;
  const list = routes.data ?? [];
  return (
    <Card className="p-5">
      <h2 className="font-medium">Webhook URLs in use</h2>
      {routes.error ? <p className="mt-1 text-sm text-red-700">{describeError(routes.error).message}</p> : null}
      {routes.data && list.length === 0 ? (
        <p className="mt-1 text-sm text-slate-600">
          No flow has a webhook yet. Add a Webhook trigger to a flow to get a URL.
        </p>
      ) : null}
      <ul className="mt-2 space-y-2 text-sm">
        {list.map((route) => (
          <li key={`${route.isTest}:${route.flowId}:${route.stepId}`} className="min-w-0">
            <div className="flex flex-wrap items-baseline gap-x-2">
              <span className="font-mono text-xs text-slate-500">{route.methods.join(", ")}</span>
              <code className="min-w-0 text-xs break-all">
                {origin}/{route.isTest ? "hooks-test" : "hooks"}/{workspace.slug}/{route.pattern}
              </code>
            </div>
            <div className="text-xs text-slate-500">
              <Link href={`${base}/flows/${route.flowId}`} className="text-brand-700 underline hover:no-underline">
                {route.flowName}
              </Link>
              {route.isTest
                ? " · test URL, runs the draft"
                : route.responseMode === "sync"
                  ? " · answers the caller"
                  : ""}
            </div>
          </li>
        ))}
      </ul>
    </Card>
  );
}

function article(word: string) {
  return /^[aeiou]/.test(word) ? "an" : "a";
}
