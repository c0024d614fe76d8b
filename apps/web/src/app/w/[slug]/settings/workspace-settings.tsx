"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card, PageHeader } from "~/components/page-header.tsx";
import { TextField } from "~/components/text-field.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";
import { AllowedHostsCard } from "./allowed-hosts-card.tsx";
import { BundleCard } from "./bundle-card.tsx";
import { ExportCard } from "./export-card.tsx";
import { SsoCard } from "./sso-card.tsx";

export function WorkspaceSettings() {
  const workspace = useWorkspace();
  return (
    <>
      <PageHeader title="Settings" />
      <div className="space-y-6">
        {workspace.can("workspace.rename") ? <RenameCard /> : null}
        <AllowedHostsCard />
        {workspace.can("settings.manage") ? <TwoFactorCard /> : null}
        {workspace.can("sso.manage") ? <SsoCard /> : null}
        <LeaveCard />
        {workspace.can("settings.manage") ? <BundleCard /> : null}
        {workspace.can("workspace.export") ? <ExportCard /> : null}
        {workspace.can("workspace.delete") ? <DeleteCard /> : null}
      </div>
    </>
  );
}

function RenameCard() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const [name, setName] = useState(workspace.name);
  const [slug, setSlug] = useState(workspace.slug);
  const rename = useMutation(
    trpc.workspaces.rename.mutationOptions({
      onSuccess: (renamed) => {
        void queryClient.invalidateQueries({ queryKey: trpc.workspaces.list.queryKey() });
        router.replace(`/w/${renamed.slug}/settings`);
        router.refresh();
      },
    }),
  );
  const problem = rename.error ? describeError(rename.error) : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    rename.mutate({ workspaceId: workspace.id, name, ...(slug !== workspace.slug ? { slug } : {}) });
  }

  return (
    <Card className="p-5">
      <h2 className="font-medium">Name and URL</h2>
      <form onSubmit={submit} className="mt-3 grid max-w-md gap-4" noValidate>
        {problem ? <Alert>{problem.message}</Alert> : null}
        {rename.isSuccess ? <Alert tone="success">Saved.</Alert> : null}
        <TextField
          label="Workspace name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={problem?.fields.name}
        />
        <TextField
          label="Slug"
          value={slug}
          onChange={(e) => setSlug(e.target.value)}
          error={problem?.fields.slug}
          hint="Changing it changes this workspace's URLs, webhook URLs included."
        />
        <div>
          <Button type="submit" busy={rename.isPending}>
            Save
          </Button>
        </div>
      </form>
    </Card>
  );
}

/** Members must have two-factor sign-in on to use the workspace; the server refuses them until they do. */
function TwoFactorCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const settings = useQuery(trpc.settings.get.queryOptions({ workspaceId: workspace.id }));
  const update = useMutation(
    trpc.settings.update.mutationOptions({
      onSuccess: () =>
        void queryClient.invalidateQueries({ queryKey: trpc.settings.get.queryKey({ workspaceId: workspace.id }) }),
    }),
  );
  const required = settings.data?.requireTwoFactor ?? false;
  return (
    <Card className="p-5">
      <h2 className="font-medium">Two-factor sign-in</h2>
      <p className="mt-1 text-sm text-slate-600">
        When required, members without two-factor sign-in are sent to set it up before they can use this workspace. API
        keys are not affected.
      </p>
      {update.error ? (
        <div className="mt-3">
          <Alert>{describeError(update.error).message}</Alert>
        </div>
      ) : null}
      <label className="mt-3 flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          checked={required}
          disabled={!settings.data || update.isPending}
          onChange={(e) => update.mutate({ workspaceId: workspace.id, requireTwoFactor: e.target.checked })}
        />
        Require two-factor sign-in
      </label>
    </Card>
  );
}

function LeaveCard() {
  const trpc = useTRPC();
  const router = useRouter();
  const workspace = useWorkspace();
  const leave = useMutation(trpc.members.leave.mutationOptions({ onSuccess: () => router.push("/workspaces") }));
  return (
    <Card className="p-5">
      <h2 className="font-medium">Leave this workspace</h2>
      <p className="mt-1 text-sm text-slate-600">You lose access at once; an admin can invite you again.</p>
      {leave.error ? (
        <div className="mt-3">
          <Alert>{describeError(leave.error).message}</Alert>
        </div>
      ) : null}
      <Button
        variant="secondary"
        className="mt-3"
        busy={leave.isPending}
        onClick={() => {
          if (window.confirm(`Leave ${workspace.name}?`)) leave.mutate({ workspaceId: workspace.id });
        }}
      >
        Leave workspace
      </Button>
    </Card>
  );
}

function DeleteCard() {
  const trpc = useTRPC();
  const router = useRouter();
  const workspace = useWorkspace();
  const [confirmSlug, setConfirmSlug] = useState("");
  const remove = useMutation(trpc.workspaces.delete.mutationOptions({ onSuccess: () => router.push("/workspaces") }));
  const problem = remove.error ? describeError(remove.error) : null;
  return (
    <Card className="border-red-200 p-5">
      <h2 className="font-medium text-red-700">Delete this workspace</h2>
      <p className="mt-1 text-sm text-slate-600">
        Deletes the workspace and everything in it for every member. This cannot be undone.
      </p>
      <form
        className="mt-3 flex max-w-md flex-wrap items-end gap-3"
        onSubmit={(event) => {
          event.preventDefault();
          remove.mutate({ workspaceId: workspace.id, confirmSlug });
        }}
      >
        <TextField
          label={`Type "${workspace.slug}" to confirm`}
          value={confirmSlug}
          onChange={(e) => setConfirmSlug(e.target.value)}
          error={problem?.fields.confirmSlug ?? (problem ? problem.message : undefined)}
          className="flex-1"
        />
        <Button type="submit" variant="danger" disabled={confirmSlug !== workspace.slug} busy={remove.isPending}>
          Delete workspace
        </Button>
      </form>
    </Card>
  );
}
