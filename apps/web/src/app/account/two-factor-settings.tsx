"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card } from "~/components/page-header.tsx";
import { QrCode } from "~/components/qr-code.tsx";
import { TextField } from "~/components/text-field.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

/**
 * Two-factor sign-in: set up with a QR code (or the secret typed in) and a first code, then the recovery codes,
 * shown this once; turned off with the password.
 */
export function TwoFactorSettings({ requiredBy }: { requiredBy: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.account.twoFactorStatus.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.account.twoFactorStatus.queryKey() });
  const start = useMutation(trpc.account.startTwoFactor.mutationOptions());
  const confirm = useMutation(trpc.account.confirmTwoFactor.mutationOptions({ onSuccess: () => void refresh() }));
  const disable = useMutation(
    trpc.account.disableTwoFactor.mutationOptions({
      onSuccess: () => {
        setPassword("");
        start.reset();
        confirm.reset();
        void refresh();
      },
    }),
  );
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [codesSaved, setCodesSaved] = useState(false);

  function confirmCode(event: FormEvent) {
    event.preventDefault();
    confirm.mutate({ code });
  }
  function turnOff(event: FormEvent) {
    event.preventDefault();
    disable.mutate({ password });
  }

  const recoveryCodes = confirm.data?.recoveryCodes;
  const confirmProblem = confirm.error ? describeError(confirm.error) : null;
  const disableProblem = disable.error ? describeError(disable.error) : null;

  return (
    <Card className="p-5">
      <h2 className="font-medium">Two-factor sign-in</h2>
      {requiredBy && !status.data?.enabled ? (
        <Alert>The workspace {requiredBy} requires two-factor sign-in. Turn it on here to use the workspace.</Alert>
      ) : null}
      {recoveryCodes && !codesSaved ? (
        <div className="mt-2 space-y-3">
          <Alert tone="info">
            Two-factor sign-in is on. Save these recovery codes somewhere safe: each signs you in once without the app,
            and they are not shown again.
          </Alert>
          <ol data-testid="recovery-codes" className="grid grid-cols-2 gap-1 font-mono text-sm">
            {recoveryCodes.map((recovery) => (
              <li key={recovery}>{recovery}</li>
            ))}
          </ol>
          <Button onClick={() => setCodesSaved(true)}>I have saved them</Button>
        </div>
      ) : status.data?.enabled ? (
        <>
          <p className="mt-1 text-sm text-slate-600">
            On. Signing in asks for a code from your authenticator app after the password.{" "}
            {status.data.recoveryCodesLeft} recovery codes left.
          </p>
          <form onSubmit={turnOff} className="mt-3 grid max-w-sm gap-4" noValidate>
            {disableProblem && !disableProblem.fields.password ? <Alert>{disableProblem.message}</Alert> : null}
            <TextField
              label="Password to turn it off"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={disableProblem?.fields.password}
            />
            <div>
              <Button type="submit" variant="secondary" busy={disable.isPending}>
                Turn off two-factor sign-in
              </Button>
            </div>
          </form>
        </>
      ) : start.data ? (
        <div className="mt-2 space-y-3">
          <p className="text-sm text-slate-600">
            Scan the code with an authenticator app, or type the secret in, then enter the code the app shows.
          </p>
          <QrCode value={start.data.uri} label="QR code for your authenticator app" />
          <p className="text-sm">
            Secret:{" "}
            <code data-testid="totp-secret" className="break-all font-mono">
              {start.data.secret}
            </code>
          </p>
          <form onSubmit={confirmCode} className="grid max-w-sm gap-4" noValidate>
            <TextField
              label="Code from the app"
              inputMode="numeric"
              autoComplete="one-time-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              error={confirmProblem?.fields.code ?? confirmProblem?.message}
            />
            <div>
              <Button type="submit" busy={confirm.isPending}>
                Turn on two-factor sign-in
              </Button>
            </div>
          </form>
        </div>
      ) : (
        <>
          <p className="mt-1 text-sm text-slate-600">
            Off. With it on, signing in also asks for a code from an authenticator app on your phone.
          </p>
          <Button className="mt-3" busy={start.isPending} onClick={() => start.mutate()}>
            Set up two-factor sign-in
          </Button>
        </>
      )}
    </Card>
  );
}
