"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card } from "~/components/page-header.tsx";
import { TextField } from "~/components/text-field.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

/** The account's address, whether it is verified, and changing it (the new one counts once its link is opened). */
export function EmailSettings() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.account.emailStatus.queryOptions());
  const resend = useMutation(trpc.account.resendVerification.mutationOptions());
  const [newEmail, setNewEmail] = useState("");
  const [currentPassword, setCurrentPassword] = useState("");
  const change = useMutation(
    trpc.account.changeEmail.mutationOptions({
      onSuccess: () => {
        setCurrentPassword("");
        void queryClient.invalidateQueries({ queryKey: trpc.account.emailStatus.queryKey() });
      },
    }),
  );
  const problem = change.error ? describeError(change.error) : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    change.mutate({ newEmail, currentPassword });
  }

  return (
    <Card className="p-5">
      <h2 className="font-medium">Email address</h2>
      {status.data ? (
        <p className="mt-1 text-sm text-slate-600">
          {status.data.email}{" "}
          {status.data.verified ? (
            <span className="text-emerald-700">(verified)</span>
          ) : (
            <>
              <span className="text-amber-700">(not verified)</span>{" "}
              <Button variant="secondary" busy={resend.isPending} onClick={() => resend.mutate()}>
                Send the verification link again
              </Button>
            </>
          )}
        </p>
      ) : null}
      {resend.isSuccess ? <Alert tone="info">We sent a new link to {resend.data.email}.</Alert> : null}
      {resend.error ? <Alert>{describeError(resend.error).message}</Alert> : null}
      <form onSubmit={submit} className="mt-3 grid max-w-sm gap-4" noValidate>
        {change.data?.pending ? (
          <Alert tone="info">
            We sent a link to {change.data.email}. Your address changes when you open it; until then it stays{" "}
            {status.data?.email}.
          </Alert>
        ) : null}
        {change.data && !change.data.pending ? (
          <Alert tone="success">Your address is now {change.data.email}.</Alert>
        ) : null}
        {problem && !problem.fields.newEmail && !problem.fields.currentPassword ? (
          <Alert>{problem.message}</Alert>
        ) : null}
        <TextField
          label="New email address"
          type="email"
          autoComplete="email"
          value={newEmail}
          onChange={(e) => setNewEmail(e.target.value)}
          error={problem?.fields.newEmail}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          value={currentPassword}
          onChange={(e) => setCurrentPassword(e.target.value)}
          error={problem?.fields.currentPassword}
        />
        <div>
          <Button type="submit" busy={change.isPending}>
            Change email address
          </Button>
        </div>
      </form>
    </Card>
  );
}
