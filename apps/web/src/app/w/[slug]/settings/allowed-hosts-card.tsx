"use client";
// The private hosts this workspace's flows may reach: owners and admins add and remove them (each change is saved
// at once, audited, and used by the next run); everyone else sees the list. The operator's hosts are shown apart.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card } from "~/components/page-header.tsx";
import { TextField } from "~/components/text-field.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

export function AllowedHostsCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const canManage = workspace.can("settings.manage");
  const settingsQuery = trpc.settings.get.queryOptions({ workspaceId: workspace.id });
  const settings = useQuery(settingsQuery);
  const [entry, setEntry] = useState("");
  const save = useMutation(
    trpc.settings.update.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: settingsQuery.queryKey }),
    }),
  );
  const problem = save.error ? describeError(save.error) : null;
  const hosts = settings.data?.allowedHosts ?? [];
  const operatorHosts = settings.data?.operatorAllowedHosts ?? [];

  function add(event: FormEvent) {
    event.preventDefault();
    const host = entry.trim();
    if (!host) return;
    save.mutate({ workspaceId: workspace.id, allowedHosts: [...hosts, host] }, { onSuccess: () => setEntry("") });
  }

  return (
    <Card className="p-5">
      <h2 className="font-medium">Allowed hosts</h2>
      <p className="mt-1 text-sm text-slate-600">
        Flows and connections reach public addresses only; private, loopback and link-local ones (a database on your
        network, a server on this machine) are refused unless listed here. Every redirect and every resolved address is
        still checked against this list. Changes apply to the next run; queue and stream triggers reconnect within
        seconds.
      </p>
      {settings.error ? (
        <div className="mt-3">
          <Alert>{describeError(settings.error).message}</Alert>
        </div>
      ) : null}
      {hosts.length ? (
        <ul
          className="mt-3 max-w-md divide-y divide-slate-200 rounded-md border border-slate-200"
          aria-label="Allowed hosts"
        >
          {hosts.map((host) => (
            <li key={host} className="flex items-center justify-between px-3 py-2 text-sm">
              <code>{host}</code>
              {canManage ? (
                <Button
                  variant="secondary"
                  aria-label={`Remove ${host}`}
                  disabled={save.isPending}
                  onClick={() =>
                    save.mutate({ workspaceId: workspace.id, allowedHosts: hosts.filter((other) => other !== host) })
                  }
                >
                  Remove
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : settings.isSuccess ? (
        <p className="mt-3 text-sm text-slate-500">No private hosts are allowed.</p>
      ) : null}
      {operatorHosts.length ? (
        <p className="mt-3 text-sm text-slate-600">
          This installation also lets every workspace reach:{" "}
          {operatorHosts.map((host, index) => (
            <span key={host}>
              {index ? ", " : ""}
              <code>{host}</code>
            </span>
          ))}{" "}
          (set by its operator in OUTBOUND_ALLOWED_HOSTS).
        </p>
      ) : null}
      {canManage ? (
        <form onSubmit={add} className="mt-4 flex max-w-md flex-wrap items-start gap-3" noValidate>
          <TextField
            label="Add a host"
            value={entry}
            onChange={(e) => setEntry(e.target.value)}
            placeholder="db.internal:5432"
            hint="A host name (*.corp.example for its subdomains), host:port, an IP address or a CIDR range like 10.0.0.0/8. A port is noted, but the host is allowed on every port."
            error={problem ? (problem.fields.allowedHosts ?? problem.message) : undefined}
            className="flex-1"
          />
          <Button type="submit" className="mt-6" busy={save.isPending}>
            Add
          </Button>
        </form>
      ) : null}
    </Card>
  );
}
