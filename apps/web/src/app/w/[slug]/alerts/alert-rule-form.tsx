"use client";
import { useMutation } from "@tanstack/react-query";
import type { AlertChannelName, AlertEventName, AlertRuleView } from "@tributary/core";
import { type FormEvent, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { FlowSelect } from "~/components/flow-select.tsx";
import { Card } from "~/components/page-header.tsx";
import { TextField } from "~/components/text-field.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";
import { CHANNEL_LABELS, CHANNEL_OPTIONS, EVENT_LABELS, EVENT_OPTIONS } from "./alert-labels.ts";

const SELECT = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm";

export type Saved = { name: string; signingSecret: string | null };

/** Creates a rule, or changes `rule` when given. */
export function AlertRuleForm({
  rule,
  onSaved,
  onCancel,
}: {
  rule?: AlertRuleView;
  onSaved: (saved: Saved) => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const [name, setName] = useState(rule?.name ?? "");
  const [flowId, setFlowId] = useState(rule?.flowId ?? "");
  const [event, setEvent] = useState<AlertEventName>(rule?.event ?? "run_failed");
  const [threshold, setThreshold] = useState(rule?.threshold ? String(rule.threshold) : "");
  const [channel, setChannel] = useState<AlertChannelName>(rule?.channel ?? "email");
  const [emailTo, setEmailTo] = useState(rule?.emailTo.join(", ") ?? "");
  const [url, setUrl] = useState("");
  const [targetFlowId, setTargetFlowId] = useState(rule?.targetFlowId ?? "");
  const [intervalMinutes, setIntervalMinutes] = useState(String((rule?.intervalSeconds ?? 600) / 60));
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [rotateSecret, setRotateSecret] = useState(false);
  const done = (saved: { rule: AlertRuleView; signingSecret: string | null }) =>
    onSaved({ name: saved.rule.name, signingSecret: saved.signingSecret });
  const create = useMutation(trpc.alerts.create.mutationOptions({ onSuccess: done }));
  const update = useMutation(trpc.alerts.update.mutationOptions({ onSuccess: done }));
  const saving = create.isPending || update.isPending;
  const error = create.error ?? update.error;
  const problem = error ? describeError(error) : null;
  const needsThreshold = event === "run_slow" || event === "queue_backlog";
  const needsUrl = channel === "slack" || channel === "webhook";

  function submit(submitted: FormEvent) {
    submitted.preventDefault();
    const fields = {
      workspaceId: workspace.id,
      name,
      flowId: flowId || null,
      event,
      threshold: needsThreshold && threshold ? Number(threshold) : null,
      channel,
      emailTo: channel === "email" ? emailTo.split(/[\s,;]+/).filter(Boolean) : [],
      ...(needsUrl && url ? { url } : {}),
      targetFlowId: channel === "flow" ? targetFlowId || null : null,
      intervalSeconds: Math.round(Number(intervalMinutes || 0) * 60),
      enabled,
    };
    if (rule) update.mutate({ ...fields, ruleId: rule.id, rotateSecret: channel === "webhook" && rotateSecret });
    else create.mutate(fields);
  }

  return (
    <Card className="mb-6 p-5">
      <h2 className="font-medium">{rule ? `Change "${rule.name}"` : "New alert rule"}</h2>
      <form onSubmit={submit} className="mt-3 grid gap-4 sm:grid-cols-2" noValidate>
        <TextField
          label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={problem?.fields.name}
          placeholder="Failures to the on-call team"
        />
        <div>
          <label htmlFor="alert-flow" className="block text-sm font-medium text-slate-700">
            Flow
          </label>
          <FlowSelect
            id="alert-flow"
            value={flowId}
            onChange={setFlowId}
            emptyLabel="All flows (the workspace's default)"
            searchLabel="Find the rule's flow"
            className={SELECT}
          />
          <p className="mt-1 text-xs text-slate-500">A flow's own rules for an event replace the default ones.</p>
        </div>
        <div>
          <label htmlFor="alert-event" className="block text-sm font-medium text-slate-700">
            When
          </label>
          <select
            id="alert-event"
            value={event}
            onChange={(e) => setEvent(e.target.value as AlertEventName)}
            className={SELECT}
          >
            {EVENT_OPTIONS.map((option) => (
              <option key={option} value={option}>
                {EVENT_LABELS[option]}
              </option>
            ))}
          </select>
        </div>
        {needsThreshold ? (
          <TextField
            label={event === "run_slow" ? "Slower than (milliseconds)" : "Queued runs at least"}
            inputMode="numeric"
            value={threshold}
            onChange={(e) => setThreshold(e.target.value)}
            error={problem?.fields.threshold}
          />
        ) : null}
        <div>
          <label htmlFor="alert-channel" className="block text-sm font-medium text-slate-700">
            Tell
          </label>
          <select
            id="alert-channel"
            value={channel}
            onChange={(e) => setChannel(e.target.value as AlertChannelName)}
            className={SELECT}
          >
            {CHANNEL_OPTIONS.map((option) => (
              <option key={option} value={option}>
                {CHANNEL_LABELS[option]}
              </option>
            ))}
          </select>
        </div>
        {channel === "email" ? (
          <TextField
            label="Recipients"
            value={emailTo}
            onChange={(e) => setEmailTo(e.target.value)}
            error={problem?.fields.emailTo ?? problem?.fields["emailTo.0"]}
            placeholder="ops@example.com, oncall@example.com"
          />
        ) : null}
        {needsUrl ? (
          <TextField
            label={channel === "slack" ? "Slack webhook URL" : "Webhook URL"}
            type="url"
            autoComplete="off"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            error={problem?.fields.url}
            placeholder={channel === "slack" ? "https://hooks.slack.com/services/…" : "https://example.com/alerts"}
            hint={
              rule?.targetHint
                ? `Now ${rule.targetHint}; leave empty to keep it.`
                : channel === "webhook"
                  ? "Each call is signed per Standard Webhooks; the signing secret is shown once, after saving."
                  : undefined
            }
          />
        ) : null}
        {channel === "flow" ? (
          <div>
            <label htmlFor="alert-target-flow" className="block text-sm font-medium text-slate-700">
              Flow to start
            </label>
            <FlowSelect
              id="alert-target-flow"
              value={targetFlowId}
              onChange={setTargetFlowId}
              emptyLabel="Choose a flow…"
              searchLabel="Find the flow to start"
              className={SELECT}
            />
            {problem?.fields.targetFlowId ? (
              <p className="mt-1 text-xs text-red-600">{problem.fields.targetFlowId}</p>
            ) : (
              <p className="mt-1 text-xs text-slate-500">
                It gets the run's id, flow, error and input, and the alert, as its message.
              </p>
            )}
          </div>
        ) : null}
        <TextField
          label="At most one alert per flow every (minutes)"
          inputMode="decimal"
          value={intervalMinutes}
          onChange={(e) => setIntervalMinutes(e.target.value)}
          error={problem?.fields.intervalSeconds}
          hint="More in that time are counted and sent as one digest. 0: every one."
        />
        <div className="flex flex-col justify-end gap-2 pb-2 text-sm">
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
            Enabled
          </label>
          {rule?.channel === "webhook" && channel === "webhook" ? (
            <label className="flex items-center gap-2">
              <input type="checkbox" checked={rotateSecret} onChange={(e) => setRotateSecret(e.target.checked)} />
              Make a new signing secret (the current one stops working at once)
            </label>
          ) : null}
        </div>
        {problem && !Object.keys(problem.fields).length ? (
          <div className="sm:col-span-2">
            <Alert>{problem.message}</Alert>
          </div>
        ) : null}
        <div className="flex gap-2 sm:col-span-2">
          <Button type="submit" busy={saving}>
            {rule ? "Save rule" : "Create rule"}
          </Button>
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </form>
    </Card>
  );
}
