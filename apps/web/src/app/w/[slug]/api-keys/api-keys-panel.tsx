"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card, PageHeader } from "~/components/page-header.tsx";
import { QueryRows } from "~/components/query-rows.tsx";
import { ShownOnce } from "~/components/shown-once.tsx";
import { TextField } from "~/components/text-field.tsx";
import { TimeAgo } from "~/components/time-ago.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

const ROLES = ["viewer", "operator", "editor", "admin"] as const;

/** Keys for scripts and the CLI: each acts with its role in this workspace; the key is shown once. */
export function ApiKeysPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const [name, setName] = useState("");
  const [role, setRole] = useState<(typeof ROLES)[number]>("viewer");
  const [expires, setExpires] = useState("");
  const [shown, setShown] = useState<{ name: string; key: string } | null>(null);
  const keys = useQuery(trpc.apiKeys.list.queryOptions({ workspaceId: workspace.id }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.pathKey() });
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: (created) => {
        setShown({ name, key: created.key });
        setName("");
        setExpires("");
        void refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSettled: refresh }));
  const problem = create.error ? describeError(create.error) : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({
      workspaceId: workspace.id,
      name,
      role,
      ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`) } : {}),
    });
  }

  return (
    <>
      <PageHeader
        title="API keys"
        description={
          <>
            Keys for scripts and the <code>tributary</code> command line. Each acts in this workspace with the role you
            give it; every use is recorded. See the{" "}
            <a href="/docs/api" className="font-medium text-brand-700 hover:underline">
              REST API reference
            </a>
            .
          </>
        }
      />
      {shown ? (
        <ShownOnce title={`Key "${shown.name}"`} secret={shown.key} kept="hashed" onDone={() => setShown(null)} />
      ) : null}
      <Card className="mb-6 p-5">
        <h2 className="font-medium">New key</h2>
        <form onSubmit={submit} className="mt-3 flex flex-wrap items-start gap-3" noValidate>
          <TextField
            label="Key name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={problem?.fields.name}
            placeholder="CI deploys"
            className="min-w-60 flex-1"
          />
          <div>
            <label htmlFor="key-role" className="block text-sm font-medium text-slate-700">
              Role
            </label>
            <select
              id="key-role"
              value={role}
              onChange={(e) => setRole(e.target.value as (typeof ROLES)[number])}
              className="mt-1 block rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
            >
              {ROLES.map((option) => (
                <option key={option} value={option}>
                  {option}
                </option>
              ))}
            </select>
          </div>
          <TextField
            label="Expires (optional)"
            type="date"
            value={expires}
            onChange={(e) => setExpires(e.target.value)}
            error={problem?.fields.expiresAt}
          />
          <Button type="submit" busy={create.isPending} className="mt-6">
            Create key
          </Button>
        </form>
        {problem && !Object.keys(problem.fields).length ? (
          <div className="mt-3">
            <Alert>{problem.message}</Alert>
          </div>
        ) : null}
      </Card>
      {revoke.error ? (
        <div className="mb-4">
          <Alert>{describeError(revoke.error).message}</Alert>
        </div>
      ) : null}
      <Card className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">API keys</caption>
          <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
            <tr>
              <th className="px-4 py-2.5 font-medium">Key</th>
              <th className="px-4 py-2.5 font-medium">Role</th>
              <th className="px-4 py-2.5 font-medium">Last used</th>
              <th className="px-4 py-2.5 font-medium">Expires</th>
              <th className="px-4 py-2.5 font-medium">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <QueryRows
              query={keys}
              columns={5}
              loading="Loading keys…"
              empty="No API keys yet. Create one for each script or person, so each can be revoked alone."
            />
            {keys.data?.map((key) => (
              <tr key={key.id} className={key.revokedAt ? "text-slate-500" : ""}>
                <td className="px-4 py-3">
                  <div className="font-medium">{key.name}</div>
                  <code className="text-xs">{key.prefix}</code>
                </td>
                <td className="px-4 py-3">{key.role}</td>
                <td className="px-4 py-3">{key.lastUsedAt ? <TimeAgo at={key.lastUsedAt} /> : "never"}</td>
                <td className="px-4 py-3">
                  {key.revokedAt ? "revoked" : key.expiresAt ? new Date(key.expiresAt).toLocaleDateString() : "never"}
                </td>
                <td className="px-4 py-3 text-right">
                  {key.revokedAt ? null : (
                    <Button
                      variant="ghost"
                      aria-label={`Revoke ${key.name}`}
                      onClick={() => {
                        if (window.confirm(`Revoke "${key.name}"? Scripts using it stop working at once.`))
                          revoke.mutate({ workspaceId: workspace.id, keyId: key.id });
                      }}
                    >
                      Revoke
                    </Button>
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
