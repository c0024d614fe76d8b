"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { AlertRuleView } from "@tributary/core";
import Link from "next/link";
import { useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card, PageHeader } from "~/components/page-header.tsx";
import { QueryRows } from "~/components/query-rows.tsx";
import { ShownOnce } from "~/components/shown-once.tsx";
import { TimeAgo } from "~/components/time-ago.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";
import { CHANNEL_LABELS, EVENT_LABELS } from "./alert-labels.ts";
import { AlertRuleForm, type Saved } from "./alert-rule-form.tsx";

function target(rule: AlertRuleView): string {
  switch (rule.channel) {
    case "email":
      return rule.emailTo.join(", ");
    case "flow":
      return rule.targetFlowName ? `start "${rule.targetFlowName}"` : "a deleted flow";
    default:
      // Imported from a bundle, a rule has no URL: it waits, disabled, for one.
      return rule.targetHint ?? "No URL yet: edit the rule to set it";
  }
}

function when(rule: AlertRuleView): string {
  if (rule.event === "run_slow") return `A run takes over ${rule.threshold} ms`;
  if (rule.event === "queue_backlog") return `${rule.threshold} or more runs queued`;
  return EVENT_LABELS[rule.event];
}

/** Alert rules and what they sent; deliveries refresh on their own, so a test alert's outcome shows up. */
export function AlertsPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const manage = workspace.can("alerts.manage");
  const [editing, setEditing] = useState<AlertRuleView | "new" | null>(null);
  const [shown, setShown] = useState<Saved | null>(null);
  const [tested, setTested] = useState<string | null>(null);
  const rules = useQuery({ ...trpc.alerts.list.queryOptions({ workspaceId: workspace.id }), refetchInterval: 5000 });
  const deliveries = useQuery({
    ...trpc.alerts.deliveries.queryOptions({ workspaceId: workspace.id }),
    refetchInterval: 3000,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
  const test = useMutation(trpc.alerts.test.mutationOptions({ onSettled: refresh }));
  const toggle = useMutation(trpc.alerts.update.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.alerts.delete.mutationOptions({ onSettled: refresh }));
  const failure = test.error ?? toggle.error ?? remove.error;

  function setEnabled(rule: AlertRuleView, enabled: boolean) {
    toggle.mutate({
      workspaceId: workspace.id,
      ruleId: rule.id,
      name: rule.name,
      flowId: rule.flowId,
      event: rule.event,
      threshold: rule.threshold,
      channel: rule.channel,
      emailTo: rule.emailTo,
      targetFlowId: rule.targetFlowId,
      intervalSeconds: rule.intervalSeconds,
      enabled,
    });
  }

  return (
    <>
      <PageHeader
        title="Alerts"
        description="Be told when runs fail, have handled errors or are slow, when a trigger keeps failing, or when runs pile up: by email, in Slack, at a signed webhook, or by starting a flow. At most one alert per rule and flow in each interval; the rest come as one digest with their count."
        actions={manage && !editing ? <Button onClick={() => setEditing("new")}>New alert rule</Button> : undefined}
      />
      {shown?.signingSecret ? (
        <ShownOnce
          title={`Signing secret of "${shown.name}"`}
          secret={shown.signingSecret}
          onDone={() => setShown(null)}
        />
      ) : null}
      {editing ? (
        <AlertRuleForm
          key={editing === "new" ? "new" : editing.id}
          {...(editing === "new" ? {} : { rule: editing })}
          onCancel={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            void refresh();
            setShown(saved);
          }}
        />
      ) : null}
      {failure ? (
        <div className="mb-4">
          <Alert>{describeError(failure).message}</Alert>
        </div>
      ) : null}
      {tested ? (
        <p role="status" className="mb-4 text-sm text-slate-600">
          Test alert of "{tested}" queued; its outcome shows under Recent alerts.
        </p>
      ) : null}
      <Card className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Alert rules</caption>
          <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
            <tr>
              <th className="px-4 py-2.5 font-medium">Rule</th>
              <th className="px-4 py-2.5 font-medium">When</th>
              <th className="px-4 py-2.5 font-medium">Tells</th>
              <th className="px-4 py-2.5 font-medium">Last alert</th>
              {manage ? (
                <th className="px-4 py-2.5 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <QueryRows
              query={rules}
              columns={manage ? 5 : 4}
              loading="Loading alert rules…"
              empty="No alert rules yet: failures show only on the Runs page."
            />
            {rules.data?.map((rule) => (
              <tr key={rule.id} className="align-top">
                <td className="px-4 py-3">
                  <div className="font-medium">{rule.name}</div>
                  <div className="text-xs text-slate-500">
                    {rule.flowName ? `Flow "${rule.flowName}"` : "All flows"}
                    {rule.enabled ? "" : " · disabled"}
                  </div>
                </td>
                <td className="px-4 py-3 text-slate-600">
                  {when(rule)}
                  <div className="text-xs text-slate-500">
                    {rule.intervalSeconds
                      ? `at most every ${rule.intervalSeconds / 60} min, then a digest`
                      : "every time"}
                  </div>
                </td>
                <td className="px-4 py-3 text-slate-600">
                  {CHANNEL_LABELS[rule.channel]}
                  <div className="text-xs break-all text-slate-500">{target(rule)}</div>
                </td>
                <td className="px-4 py-3 text-slate-600">
                  {rule.lastDelivery ? (
                    <>
                      <span className={rule.lastDelivery.status === "failed" ? "font-medium text-red-700" : ""}>
                        {rule.lastDelivery.kind} {rule.lastDelivery.status}
                      </span>{" "}
                      <TimeAgo at={rule.lastDelivery.createdAt} />
                      {rule.lastDelivery.error ? (
                        <div className="text-xs break-words text-red-700">{rule.lastDelivery.error}</div>
                      ) : null}
                    </>
                  ) : (
                    <span className="text-slate-400">none yet</span>
                  )}
                </td>
                {manage ? (
                  <td className="px-4 py-3 text-right whitespace-nowrap">
                    <Button
                      variant="ghost"
                      aria-label={`Send a test alert for ${rule.name}`}
                      disabled={test.isPending}
                      onClick={() =>
                        test.mutate(
                          { workspaceId: workspace.id, ruleId: rule.id },
                          { onSuccess: () => setTested(rule.name) },
                        )
                      }
                    >
                      Test alert
                    </Button>
                    <Button
                      variant="ghost"
                      aria-label={`${rule.enabled ? "Disable" : "Enable"} ${rule.name}`}
                      onClick={() => setEnabled(rule, !rule.enabled)}
                    >
                      {rule.enabled ? "Disable" : "Enable"}
                    </Button>
                    <Button variant="ghost" aria-label={`Change ${rule.name}`} onClick={() => setEditing(rule)}>
                      Change
                    </Button>
                    <Button
                      variant="ghost"
                      aria-label={`Delete ${rule.name}`}
                      onClick={() =>
                        window.confirm(`Delete the alert rule "${rule.name}"?`) &&
                        remove.mutate({ workspaceId: workspace.id, ruleId: rule.id })
                      }
                    >
                      Delete
                    </Button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <h2 className="mt-8 mb-3 font-medium">Recent alerts</h2>
      <Card className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Recent alerts</caption>
          <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
            <tr>
              <th className="px-4 py-2.5 font-medium">When</th>
              <th className="px-4 py-2.5 font-medium">Rule</th>
              <th className="px-4 py-2.5 font-medium">Kind</th>
              <th className="px-4 py-2.5 font-medium">Outcome</th>
              <th className="px-4 py-2.5 font-medium">Run</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <QueryRows query={deliveries} columns={5} loading="Loading alerts…" empty="No alerts sent yet." />
            {deliveries.data?.map((delivery) => (
              <tr key={delivery.id} className="align-top">
                <td className="px-4 py-3 whitespace-nowrap">
                  <TimeAgo at={delivery.createdAt} />
                </td>
                <td className="px-4 py-3">{delivery.ruleName}</td>
                <td className="px-4 py-3">
                  {delivery.kind === "digest" ? `digest of ${delivery.count}` : delivery.kind}
                </td>
                <td className="px-4 py-3">
                  <span className={delivery.status === "failed" ? "font-medium text-red-700" : "text-emerald-700"}>
                    {delivery.status}
                  </span>
                  {delivery.error ? <div className="text-xs break-words text-red-700">{delivery.error}</div> : null}
                </td>
                <td className="px-4 py-3">
                  {delivery.runId ? (
                    <Link
                      className="text-brand-700 hover:underline"
                      href={`/w/${workspace.slug}/runs/${delivery.runId}`}
                    >
                      Open run
                    </Link>
                  ) : (
                    <span className="text-slate-400">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </>
  );
}
