"use client";
import { useMutation } from "@tanstack/react-query";
import type { Role } from "@tributary/core";
import { mayManage, ROLES } from "@tributary/core/permissions";
import { type FormEvent, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card } from "~/components/page-header.tsx";
import { TextField } from "~/components/text-field.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

export function InviteForm({ onInvited }: { onInvited: () => void }) {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("editor");
  const invite = useMutation(
    trpc.members.invite.mutationOptions({
      onSuccess: () => {
        setEmail("");
        onInvited();
      },
    }),
  );
  const problem = invite.error ? describeError(invite.error) : null;
  const grantable = ROLES.filter((role) => mayManage({ actorRole: workspace.role, role }));

  function submit(event: FormEvent) {
    event.preventDefault();
    invite.mutate({ workspaceId: workspace.id, email, role });
  }

  return (
    <Card className="mb-6 p-5">
      <h2 className="font-medium">Invite a member</h2>
      <form onSubmit={submit} className="mt-3 flex flex-wrap items-start gap-3" noValidate>
        <TextField
          label="Email"
          type="email"
          name="invite-email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={problem?.fields.email}
          className="min-w-60 flex-1"
        />
        <div>
          <label htmlFor="invite-role" className="block text-sm font-medium text-slate-700">
            Role
          </label>
          <select
            id="invite-role"
            value={role}
            onChange={(e) => setRole(e.target.value as Role)}
            className="mt-1 block rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
          >
            {grantable.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <Button type="submit" className="mt-6" busy={invite.isPending}>
          Send invite
        </Button>
      </form>
      {problem && !problem.fields.email ? (
        <div className="mt-3">
          <Alert>{problem.message}</Alert>
        </div>
      ) : null}
      {invite.data ? (
        <div className="mt-4 space-y-2">
          {invite.data.link === null ? (
            <Alert tone="success">
              Invite mailed to {invite.data.email}. The link works once, for 7 days, for that address only.
            </Alert>
          ) : (
            <>
              <Alert tone="success">
                Invite created for {invite.data.email}. Share this link with them (it works once, for 7 days):
              </Alert>
              <InviteLink key={invite.data.link} link={invite.data.link} />
            </>
          )}
        </div>
      ) : null}
    </Card>
  );
}

function InviteLink({ link }: { link: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="flex gap-2">
      <input
        readOnly
        aria-label="Invite link"
        value={link}
        onFocus={(e) => e.target.select()}
        className="flex-1 rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs"
      />
      <Button
        variant="secondary"
        onClick={() => {
          void navigator.clipboard?.writeText(link).then(() => setCopied(true));
        }}
      >
        {copied ? "Copied" : "Copy link"}
      </Button>
    </div>
  );
}
