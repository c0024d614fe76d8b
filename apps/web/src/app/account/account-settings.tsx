"use client";
import { useMutation } from "@tanstack/react-query";
import { signOut } from "next-auth/react";
import { type FormEvent, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card } from "~/components/page-header.tsx";
import { TextField } from "~/components/text-field.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";
import { DeleteAccount } from "./delete-account.tsx";
import { EmailSettings } from "./email-settings.tsx";
import { TwoFactorSettings } from "./two-factor-settings.tsx";

export function AccountSettings({ twoFactorFor }: { twoFactorFor: string | null }) {
  const trpc = useTRPC();
  const [currentPassword, setCurrentPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const change = useMutation(
    trpc.account.changePassword.mutationOptions({
      onSuccess: () => void signOut({ callbackUrl: "/login?notice=password-changed" }),
    }),
  );
  const everywhere = useMutation(
    trpc.account.signOutEverywhere.mutationOptions({
      onSuccess: () => void signOut({ callbackUrl: "/login?notice=signed-out-everywhere" }),
    }),
  );
  const problem = change.error ? describeError(change.error) : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    change.mutate({ currentPassword, newPassword });
  }

  return (
    <div className="mt-6 space-y-6">
      <TwoFactorSettings requiredBy={twoFactorFor} />
      <EmailSettings />
      <Card className="p-5">
        <h2 className="font-medium">Change password</h2>
        <p className="mt-1 text-sm text-slate-600">Every session, this one included, is signed out afterwards.</p>
        <form onSubmit={submit} className="mt-3 grid max-w-sm gap-4" noValidate>
          {problem ? <Alert>{problem.message}</Alert> : null}
          <TextField
            label="Current password"
            type="password"
            autoComplete="current-password"
            value={currentPassword}
            onChange={(e) => setCurrentPassword(e.target.value)}
            error={problem?.fields.currentPassword}
          />
          <TextField
            label="New password"
            type="password"
            autoComplete="new-password"
            value={newPassword}
            onChange={(e) => setNewPassword(e.target.value)}
            error={problem?.fields.password ?? problem?.fields.newPassword}
          />
          <div>
            <Button type="submit" busy={change.isPending || change.isSuccess}>
              Change password
            </Button>
          </div>
        </form>
      </Card>
      <Card className="p-5">
        <h2 className="font-medium">Sign out everywhere</h2>
        <p className="mt-1 text-sm text-slate-600">Ends every session of your account on every device.</p>
        <Button
          variant="secondary"
          className="mt-3"
          busy={everywhere.isPending || everywhere.isSuccess}
          onClick={() => everywhere.mutate()}
        >
          Sign out everywhere
        </Button>
      </Card>
      <DeleteAccount />
    </div>
  );
}
