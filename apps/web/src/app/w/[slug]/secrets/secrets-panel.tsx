"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card, PageHeader } from "~/components/page-header.tsx";
import { QueryRows } from "~/components/query-rows.tsx";
import { TextField } from "~/components/text-field.tsx";
import { TimeAgo } from "~/components/time-ago.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

/** Workspace secrets: values go in and are never shown again; flows read them as {{ secrets.NAME }}. */
export function SecretsPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const manage = workspace.can("secrets.manage");
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  const secrets = useQuery(trpc.secrets.list.queryOptions({ workspaceId: workspace.id }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.secrets.pathKey() });
  const set = useMutation(
    trpc.secrets.set.mutationOptions({
      onSuccess: () => {
        setName("");
        setValue("");
        void refresh();
      },
    }),
  );
  const remove = useMutation(trpc.secrets.delete.mutationOptions({ onSettled: refresh }));
  const problem = set.error ? describeError(set.error) : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    set.mutate({ workspaceId: workspace.id, name, value });
  }

  return (
    <>
      <PageHeader
        title="Secrets"
        description={
          <>
            Values flows need but nobody should read back: API keys, passwords. Use one in a step as{" "}
            <code className="text-xs">{"{{ secrets.NAME }}"}</code>; run logs show it as [redacted].
          </>
        }
      />
      {manage ? (
        <Card className="mb-6 p-5">
          <h2 className="font-medium">Add or replace a secret</h2>
          <form onSubmit={submit} className="mt-3 flex flex-wrap items-start gap-3" noValidate>
            <TextField
              label="Name"
              value={name}
              onChange={(e) => setName(e.target.value.toUpperCase())}
              placeholder="SHOP_API_KEY"
              error={problem?.fields.name}
              hint="Capital letters, digits and _."
              className="min-w-56"
            />
            <TextField
              label="Value"
              type="password"
              autoComplete="off"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              error={problem?.fields.value}
              className="min-w-72 flex-1"
            />
            <Button type="submit" busy={set.isPending} className="mt-6">
              Save secret
            </Button>
          </form>
          {problem && !Object.keys(problem.fields).length ? (
            <div className="mt-3">
              <Alert>{problem.message}</Alert>
            </div>
          ) : null}
        </Card>
      ) : null}
      {remove.error ? (
        <div className="mb-4">
          <Alert>{describeError(remove.error).message}</Alert>
        </div>
      ) : null}
      <Card>
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Secrets</caption>
          <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
            <tr>
              <th className="px-4 py-2.5 font-medium">Name</th>
              <th className="px-4 py-2.5 font-medium">Last set</th>
              {manage ? (
                <th className="px-4 py-2.5 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <QueryRows
              query={secrets}
              columns={3}
              loading="Loading secrets…"
              empty="No secrets yet. Add one above and use it in a step as {{ secrets.NAME }}."
            />
            {secrets.data?.map((secret) => (
              <tr key={secret.name}>
                <td className="px-4 py-3 font-mono">{secret.name}</td>
                <td className="px-4 py-3 text-slate-600">
                  <TimeAgo at={secret.updatedAt} />
                </td>
                {manage ? (
                  <td className="px-4 py-3 text-right">
                    <Button
                      variant="ghost"
                      aria-label={`Delete ${secret.name}`}
                      onClick={() => {
                        if (window.confirm(`Delete the secret ${secret.name}? Steps that use it will fail.`))
                          remove.mutate({ workspaceId: workspace.id, name: secret.name });
                      }}
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
