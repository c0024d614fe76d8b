"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { signOut } from "next-auth/react";
import { type FormEvent, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card } from "~/components/page-header.tsx";
import { TextField } from "~/components/text-field.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

/** Deleting the account: says first what goes with it and what must be handed over. */
export function DeleteAccount() {
  const trpc = useTRPC();
  const plan = useQuery(trpc.account.deletionPlan.queryOptions());
  const [password, setPassword] = useState("");
  const [confirmed, setConfirmed] = useState(false);
  const remove = useMutation(
    trpc.account.deleteAccount.mutationOptions({
      onSuccess: () => void signOut({ callbackUrl: "/login?notice=account-deleted" }),
    }),
  );
  const problem = remove.error ? describeError(remove.error) : null;
  const deletedWithIt = plan.data?.deletedWithIt ?? [];
  const blockers = plan.data?.blockers ?? [];

  function submit(event: FormEvent) {
    event.preventDefault();
    remove.mutate({ password, confirmWorkspaceSlugs: confirmed ? deletedWithIt.map((w) => w.slug) : [] });
  }

  return (
    <Card className="border-red-200 p-5">
      <h2 className="font-medium text-red-800">Delete account</h2>
      <p className="mt-1 text-sm text-slate-600">
        Deletes your account for good. Export a workspace first if you want to keep its data.
      </p>
      {blockers.length ? (
        <div className="mt-3">
          <Alert>
            You are the last owner of {blockers.map((w) => `"${w.name}"`).join(", ")}, which other members still use.
            Make one of them an owner, or delete the workspace, first.{" "}
            {blockers.map((w) => (
              <Link key={w.id} className="underline" href={`/w/${w.slug}/members`}>
                Members of {w.name}
              </Link>
            ))}
          </Alert>
        </div>
      ) : null}
      <form onSubmit={submit} className="mt-3 grid max-w-md gap-4" noValidate>
        {problem && !problem.fields.password ? <Alert>{problem.message}</Alert> : null}
        {deletedWithIt.length ? (
          <label className="flex items-start gap-2 text-sm">
            <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} />
            <span>
              Also delete {deletedWithIt.length === 1 ? "the workspace" : "the workspaces"} I am alone in, with all
              their flows, runs and secrets: {deletedWithIt.map((w) => `"${w.name}"`).join(", ")}
            </span>
          </label>
        ) : null}
        <TextField
          label="Your password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={problem?.fields.password}
        />
        <div>
          <Button
            type="submit"
            variant="danger"
            busy={remove.isPending || remove.isSuccess}
            disabled={blockers.length > 0 || (deletedWithIt.length > 0 && !confirmed)}
          >
            Delete my account
          </Button>
        </div>
      </form>
    </Card>
  );
}
