"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card, PageHeader } from "~/components/page-header.tsx";
import { QueryRows } from "~/components/query-rows.tsx";
import { ShownOnce } from "~/components/shown-once.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";
import { type Created, NewRuleForm } from "./new-rule-form.tsx";
import { describeConfig, RULE_TYPE_LABELS } from "./rule-types.ts";

export function SecurityPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const manage = workspace.can("security.manage");
  const [adding, setAdding] = useState(false);
  const [shown, setShown] = useState<(Created & { title: string }) | null>(null);
  const rules = useQuery(trpc.security.list.queryOptions({ workspaceId: workspace.id }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.security.pathKey() });
  const rotate = useMutation(trpc.security.rotate.mutationOptions({ onSettled: refresh }));
  const removeSecret = useMutation(trpc.security.removeSigningSecret.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.security.delete.mutationOptions({ onSettled: refresh }));
  const failure = rotate.error ?? removeSecret.error ?? remove.error;

  async function deleteRule(ruleId: string, name: string) {
    if (!window.confirm(`Delete the rule "${name}"?`)) return;
    try {
      await remove.mutateAsync({ workspaceId: workspace.id, ruleId });
    } catch (error) {
      // In use: the server names the webhooks it guards; ask once more before removing it from them.
      if (error instanceof TRPCClientError && error.data?.code === "CONFLICT" && window.confirm(error.message)) {
        await remove.mutateAsync({ workspaceId: workspace.id, ruleId, confirmInUse: true });
      }
    }
  }

  async function regenerate(ruleId: string, name: string, type: string) {
    const rotation = type === "hmac_standard";
    const question = rotation
      ? `Add a new signing secret to "${name}"? The current ones stay valid until you remove them.`
      : `Regenerate the secret of "${name}"? The current one stops working at once.`;
    if (!window.confirm(question)) return;
    const result = await rotate.mutateAsync({ workspaceId: workspace.id, ruleId, keepPrevious: true });
    if (result.secret) setShown({ name, secret: result.secret, title: `New secret of "${name}"` });
  }

  return (
    <>
      <PageHeader
        title="Security"
        description="Rules that guard webhooks: basic auth, API keys, signatures and IP allow-lists. Attach them to webhook triggers in the flow builder."
        actions={manage && !adding ? <Button onClick={() => setAdding(true)}>New rule</Button> : undefined}
      />
      {shown?.secret ? (
        <ShownOnce title={shown.title} secret={shown.secret} username={shown.username} onDone={() => setShown(null)} />
      ) : null}
      {adding ? (
        <NewRuleForm
          onCancel={() => setAdding(false)}
          onCreated={(created) => {
            setAdding(false);
            void refresh();
            setShown({ ...created, title: `Secret of "${created.name}"` });
          }}
        />
      ) : null}
      {failure ? (
        <div className="mb-4">
          <Alert>{describeError(failure).message}</Alert>
        </div>
      ) : null}
      <Card>
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Security rules</caption>
          <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
            <tr>
              <th className="px-4 py-2.5 font-medium">Rule</th>
              <th className="px-4 py-2.5 font-medium">Checks</th>
              <th className="px-4 py-2.5 font-medium">Failed checks</th>
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
              columns={4}
              loading="Loading rules…"
              empty="No rules yet. Webhooks without rules accept every caller who knows their URL."
            />
            {rules.data?.map((rule) => (
              <tr key={rule.id} className="align-top">
                <td className="px-4 py-3">
                  <div className="font-medium">{rule.name}</div>
                  <div className="text-xs text-slate-500">
                    {RULE_TYPE_LABELS[rule.type]} · domain {rule.domain}
                  </div>
                </td>
                <td className="px-4 py-3 text-slate-600">
                  <div className="break-all">{describeConfig(rule.type, rule.config)}</div>
                  {rule.secrets.length ? (
                    <ul className="mt-1 flex flex-wrap gap-1">
                      {rule.secrets.map((label) => (
                        <li key={label} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs">
                          {label}
                          {manage && rule.type === "hmac_standard" && rule.secrets.length > 1 ? (
                            <button
                              type="button"
                              className="ml-1 text-red-600 hover:underline"
                              aria-label={`Remove secret ${label} of ${rule.name}`}
                              onClick={() =>
                                window.confirm(`Remove the secret ${label}? Signatures made with it stop passing.`) &&
                                removeSecret.mutate({ workspaceId: workspace.id, ruleId: rule.id, label })
                              }
                            >
                              ×
                            </button>
                          ) : null}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </td>
                <td className="px-4 py-3">
                  <span className={rule.failures ? "font-medium text-red-700" : "text-slate-500"}>{rule.failures}</span>
                  {rule.lastFailureAt ? (
                    <div className="text-xs text-slate-500">last {new Date(rule.lastFailureAt).toLocaleString()}</div>
                  ) : null}
                </td>
                {manage ? (
                  <td className="px-4 py-3 text-right whitespace-nowrap">
                    {rule.type !== "ip_allow" ? (
                      <Button
                        variant="ghost"
                        disabled={rotate.isPending}
                        onClick={() => void regenerate(rule.id, rule.name, rule.type)}
                      >
                        {rule.type === "hmac_standard" ? "Rotate" : "Regenerate"}
                      </Button>
                    ) : null}
                    <Button
                      variant="ghost"
                      aria-label={`Delete ${rule.name}`}
                      disabled={remove.isPending}
                      onClick={() => void deleteRule(rule.id, rule.name)}
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
    </>
  );
}
