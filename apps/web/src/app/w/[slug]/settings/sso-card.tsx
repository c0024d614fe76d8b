"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Role } from "@tributary/core";
// Single sign-on, for owners: the identity provider and the client registered there (the secret is write-only),
// the email domains it signs in, which groups get which role, and whether members must use it.
import { ROLES } from "@tributary/core/permissions";
import { type FormEvent, useEffect, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card } from "~/components/page-header.tsx";
import { TextField } from "~/components/text-field.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

type Mapping = { group: string; role: Role };

export function SsoCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const ssoQuery = trpc.sso.get.queryOptions({ workspaceId: workspace.id });
  const saved = useQuery(ssoQuery);
  const [issuer, setIssuer] = useState("");
  const [clientId, setClientId] = useState("");
  const [clientSecret, setClientSecret] = useState("");
  const [domains, setDomains] = useState("");
  const [groupsClaim, setGroupsClaim] = useState("groups");
  const [mappings, setMappings] = useState<Mapping[]>([{ group: "", role: "viewer" }]);
  const [enabled, setEnabled] = useState(true);
  const [requireSso, setRequireSso] = useState(false);
  const [callbackUrl, setCallbackUrl] = useState("/api/sso/callback");

  useEffect(() => setCallbackUrl(`${window.location.origin}/api/sso/callback`), []);
  // The form starts from what is saved, whenever that is (re)loaded.
  useEffect(() => {
    const config = saved.data;
    if (!config) return;
    setIssuer(config.issuer);
    setClientId(config.clientId);
    setDomains(config.allowedDomains.join(", "));
    setGroupsClaim(config.groupsClaim);
    setMappings(config.roleMappings.length ? config.roleMappings : [{ group: "", role: "viewer" }]);
    setEnabled(config.enabled);
    setRequireSso(config.requireSso);
  }, [saved.data]);

  const save = useMutation(
    trpc.sso.save.mutationOptions({
      onSuccess: () => {
        setClientSecret("");
        return queryClient.invalidateQueries({ queryKey: ssoQuery.queryKey });
      },
    }),
  );
  const remove = useMutation(
    trpc.sso.remove.mutationOptions({ onSuccess: () => queryClient.resetQueries({ queryKey: ssoQuery.queryKey }) }),
  );
  const problem = save.error ? describeError(save.error) : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    remove.reset();
    save.mutate({
      workspaceId: workspace.id,
      issuer,
      clientId,
      ...(clientSecret ? { clientSecret } : {}),
      allowedDomains: domains.split(/[\s,]+/).filter(Boolean),
      groupsClaim,
      roleMappings: mappings.filter((mapping) => mapping.group.trim()),
      enabled,
      requireSso,
    });
  }

  const setMapping = (index: number, change: Partial<Mapping>) =>
    setMappings((all) => all.map((mapping, i) => (i === index ? { ...mapping, ...change } : mapping)));

  return (
    <Card className="p-5">
      <h2 className="font-medium">Single sign-on (OpenID Connect)</h2>
      <p className="mt-1 text-sm text-slate-600">
        People sign in with your identity provider: their account and membership are made at their first sign-in, and
        their role is set from their groups at every sign-in. Register Tributary at the provider as a confidential web
        client with the redirect URI <code className="break-all">{callbackUrl}</code>. A provider on your own network
        must be in the allowed hosts above.
      </p>
      <form onSubmit={submit} className="mt-4 grid max-w-xl gap-4" noValidate>
        {problem ? <Alert>{problem.message}</Alert> : null}
        {save.isSuccess ? <Alert tone="success">Single sign-on saved.</Alert> : null}
        {remove.isSuccess ? <Alert tone="success">Single sign-on removed.</Alert> : null}
        <TextField
          label="Issuer URL"
          value={issuer}
          onChange={(e) => setIssuer(e.target.value)}
          placeholder="https://login.example.com"
          error={problem?.fields.issuer}
        />
        <TextField
          label="Client ID"
          value={clientId}
          onChange={(e) => setClientId(e.target.value)}
          error={problem?.fields.clientId}
        />
        <TextField
          label="Client secret"
          type="password"
          autoComplete="off"
          value={clientSecret}
          onChange={(e) => setClientSecret(e.target.value)}
          hint={saved.data ? "Saved and never shown again; type a new one to replace it." : undefined}
          error={problem?.fields.clientSecret}
        />
        <TextField
          label="Allowed email domains"
          value={domains}
          onChange={(e) => setDomains(e.target.value)}
          placeholder="example.com, example.org"
          hint="Only people whose email is in one of these domains may sign in. Separate them with commas."
          error={problem?.fields.allowedDomains}
        />
        <TextField
          label="Groups claim"
          value={groupsClaim}
          onChange={(e) => setGroupsClaim(e.target.value)}
          hint="The claim of the ID token or userinfo that lists a person's groups."
          error={problem?.fields.groupsClaim}
        />
        <fieldset>
          <legend className="text-sm font-medium text-slate-700">Groups to roles</legend>
          <p className="text-xs text-slate-500">
            A person gets the highest role of their mapped groups; with none mapped they cannot sign in.
          </p>
          <ul className="mt-2 space-y-2">
            {mappings.map((mapping, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their place while edited
              <li key={index} className="flex items-center gap-2">
                <input
                  aria-label={`Group ${index + 1}`}
                  value={mapping.group}
                  onChange={(e) => setMapping(index, { group: e.target.value })}
                  placeholder="group name"
                  className="block flex-1 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
                />
                <select
                  aria-label={`Role for group ${index + 1}`}
                  value={mapping.role}
                  onChange={(e) => setMapping(index, { role: e.target.value as Role })}
                  className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
                >
                  {ROLES.map((role) => (
                    <option key={role} value={role}>
                      {role}
                    </option>
                  ))}
                </select>
                <Button
                  variant="secondary"
                  aria-label={`Remove group ${index + 1}`}
                  onClick={() => setMappings((all) => all.filter((_, i) => i !== index))}
                >
                  Remove
                </Button>
              </li>
            ))}
          </ul>
          {problem?.fields.roleMappings ? (
            <p className="mt-1 text-xs text-red-600">{problem.fields.roleMappings}</p>
          ) : null}
          <Button
            variant="secondary"
            className="mt-2"
            onClick={() => setMappings((all) => [...all, { group: "", role: "viewer" }])}
          >
            Add a group
          </Button>
        </fieldset>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          Single sign-on is on
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={requireSso} onChange={(e) => setRequireSso(e.target.checked)} />
          Require single sign-on for members (owners keep their password as a way back in)
        </label>
        <div className="flex gap-3">
          <Button type="submit" busy={save.isPending}>
            Save single sign-on
          </Button>
          {saved.data ? (
            <Button
              variant="secondary"
              busy={remove.isPending}
              onClick={() => {
                save.reset();
                if (window.confirm("Remove single sign-on? Members then sign in with their passwords."))
                  remove.mutate({ workspaceId: workspace.id });
              }}
            >
              Remove
            </Button>
          ) : null}
        </div>
      </form>
    </Card>
  );
}
