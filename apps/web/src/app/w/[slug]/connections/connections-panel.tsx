"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ConnectionSummary } from "@tributary/core";
import { type FormEvent, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { ConfigForm, type FieldSchema } from "~/components/config/config-form.tsx";
import { Card, PageHeader } from "~/components/page-header.tsx";
import { QueryRows } from "~/components/query-rows.tsx";
import { TextField } from "~/components/text-field.tsx";
import { TimeAgo } from "~/components/time-ago.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

type Editing = { connectionId?: string; name: string; type: string; config: Record<string, unknown> };

/** Outgoing connections: saved APIs with their authentication, tested from here and picked in HTTP steps. */
export function ConnectionsPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const manage = workspace.can("connections.manage");
  const [editing, setEditing] = useState<Editing | null>(null);
  const types = useQuery(trpc.connections.types.queryOptions());
  const connections = useQuery(trpc.connections.list.queryOptions({ workspaceId: workspace.id }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.connections.pathKey() });
  const save = useMutation(
    trpc.connections.save.mutationOptions({
      onSuccess: () => {
        setEditing(null);
        void refresh();
      },
    }),
  );
  const test = useMutation(trpc.connections.test.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.connections.delete.mutationOptions({ onSettled: refresh }));
  const failure = test.error ?? remove.error;
  const problem = save.error ? describeError(save.error) : null;
  const typeOf = (type: string) => types.data?.find((entry) => entry.type === type);
  /** `config.port` → `port`: the config field a problem is about, or null for the form's own fields. */
  const configKey = (field: string) => (field.startsWith("config.") ? (field.slice(7).split(".")[0] ?? "") : null);
  const configErrors: Record<string, string> = {};
  for (const [field, message] of Object.entries(problem?.fields ?? {})) {
    const key = configKey(field);
    if (key) configErrors[key] = message;
  }
  const configFields = (typeOf(editing?.type ?? "")?.configSchema as FieldSchema | undefined)?.properties ?? {};
  // A problem no field shows (about the whole config) is said above the buttons.
  const placed = (field: string) => field === "name" || (configKey(field) ?? "") in configFields;
  const unplaced = problem && !Object.keys(problem.fields).some(placed) ? problem.message : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (editing) save.mutate({ workspaceId: workspace.id, ...editing });
  }

  function edit(connection: ConnectionSummary) {
    save.reset();
    setEditing({
      connectionId: connection.id,
      name: connection.name,
      type: connection.type,
      config: connection.config,
    });
  }

  return (
    <>
      <PageHeader
        title="Connections"
        description="The APIs, databases, brokers and mail servers your flows use, with their address and credentials saved once. Secret fields are stored encrypted and never shown again."
        actions={
          manage && !editing && types.data?.[0] ? (
            <Button onClick={() => setEditing({ name: "", type: types.data[0]?.type ?? "http", config: {} })}>
              New connection
            </Button>
          ) : undefined
        }
      />
      {editing ? (
        <Card className="mb-6 p-5">
          <h2 className="font-medium">{editing.connectionId ? `Edit ${editing.name}` : "New connection"}</h2>
          <form onSubmit={submit} className="mt-3 max-w-xl space-y-4" noValidate>
            <TextField
              label="Connection name"
              value={editing.name}
              onChange={(e) => setEditing({ ...editing, name: e.target.value })}
              error={problem?.fields.name}
            />
            {editing.connectionId ? null : (
              <div>
                <label htmlFor="connection-kind" className="block text-sm font-medium text-slate-700">
                  Kind
                </label>
                <select
                  id="connection-kind"
                  value={editing.type}
                  onChange={(e) => setEditing({ ...editing, type: e.target.value, config: {} })}
                  className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
                >
                  {types.data?.map((entry) => (
                    <option key={entry.type} value={entry.type}>
                      {entry.title}
                    </option>
                  ))}
                </select>
              </div>
            )}
            <p className="text-sm text-slate-600">{typeOf(editing.type)?.description}</p>
            {editing.connectionId ? (
              <p className="text-xs text-slate-500">Secret fields left empty keep their saved values.</p>
            ) : null}
            <fieldset className="space-y-4">
              <legend className="text-sm font-semibold text-slate-800">
                {typeOf(editing.type)?.title ?? "Connection"} settings
              </legend>
              <ConfigForm
                schema={(typeOf(editing.type)?.configSchema ?? {}) as FieldSchema}
                config={editing.config}
                errors={configErrors}
                readOnly={false}
                onChange={(config) => setEditing({ ...editing, config })}
              />
            </fieldset>
            {unplaced ? <Alert>{unplaced}</Alert> : null}
            <div className="flex gap-2">
              <Button type="submit" busy={save.isPending}>
                Save connection
              </Button>
              <Button variant="ghost" onClick={() => setEditing(null)}>
                Cancel
              </Button>
            </div>
          </form>
        </Card>
      ) : null}
      {failure ? (
        <div className="mb-4">
          <Alert>{describeError(failure).message}</Alert>
        </div>
      ) : null}
      <Card className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Connections</caption>
          <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
            <tr>
              <th className="px-4 py-2.5 font-medium">Connection</th>
              <th className="px-4 py-2.5 font-medium">Last test</th>
              {manage ? (
                <th className="px-4 py-2.5 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <QueryRows
              query={connections}
              columns={3}
              loading="Loading connections…"
              empty="No connections yet. Add the APIs, databases, brokers and mail servers your flows use, then pick them in the steps that reach them."
            />
            {connections.data?.map((connection) => (
              <tr key={connection.id} className="align-top">
                <td className="px-4 py-3">
                  <div className="font-medium">{connection.name}</div>
                  <div className="text-xs break-all text-slate-500">
                    {typeOf(connection.type)?.title ?? connection.type}
                    {typeof connection.config.baseUrl === "string" ? ` · ${connection.config.baseUrl}` : ""}
                  </div>
                </td>
                <td className="px-4 py-3">
                  {connection.lastCheckedAt ? (
                    <div className={connection.lastCheckOk ? "text-emerald-700" : "text-red-700"}>
                      {connection.lastCheckOk ? "Works" : "Failed"}: {connection.lastCheckNote}
                      <div className="text-xs text-slate-500">
                        <TimeAgo at={connection.lastCheckedAt} />
                      </div>
                    </div>
                  ) : (
                    <span className="text-slate-500">not tested</span>
                  )}
                </td>
                {manage ? (
                  <td className="px-4 py-3 text-right whitespace-nowrap">
                    <Button
                      variant="secondary"
                      busy={test.isPending && test.variables?.connectionId === connection.id}
                      onClick={() => test.mutate({ workspaceId: workspace.id, connectionId: connection.id })}
                    >
                      Test connection
                    </Button>
                    <Button variant="ghost" onClick={() => edit(connection)}>
                      Edit
                    </Button>
                    <Button
                      variant="ghost"
                      aria-label={`Delete ${connection.name}`}
                      onClick={() => {
                        if (window.confirm(`Delete the connection "${connection.name}"? Steps that use it will fail.`))
                          remove.mutate({ workspaceId: workspace.id, connectionId: connection.id });
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
