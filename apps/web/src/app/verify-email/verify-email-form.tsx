"use client";
// A button rather than verifying on load: mail scanners that fetch links must not use them up.
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

export function VerifyEmailForm({ token }: { token: string }) {
  const trpc = useTRPC();
  const verify = useMutation(trpc.auth.verifyEmail.mutationOptions());
  if (verify.data) {
    return (
      <div className="space-y-4">
        <Alert tone="success">{verify.data.email} is verified and is your account's address.</Alert>
        <Link className="text-sm font-medium text-brand-600 hover:underline" href="/workspaces">
          Continue to Tributary
        </Link>
      </div>
    );
  }
  return (
    <div className="space-y-4">
      {verify.error ? <Alert>{describeError(verify.error).message}</Alert> : null}
      <p className="text-sm text-slate-600">Confirm that this address is yours.</p>
      <Button className="w-full" busy={verify.isPending} onClick={() => verify.mutate({ token })}>
        Verify email address
      </Button>
    </div>
  );
}
