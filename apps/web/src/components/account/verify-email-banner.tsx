"use client";
// Shown in every workspace while the account's address waits for its mailed link.
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { describeError, useTRPC } from "~/trpc/react.tsx";

export function VerifyEmailBanner() {
  const trpc = useTRPC();
  const status = useQuery(trpc.account.emailStatus.queryOptions());
  const resend = useMutation(trpc.account.resendVerification.mutationOptions());
  if (!status.data?.required || status.data.verified) return null;
  return (
    <div role="status" className="border-b border-amber-200 bg-amber-50 px-4 py-2 text-center text-sm text-amber-900">
      Verify your email address: open the link we mailed to {status.data.email}. Until then you cannot accept
      invitations or create API keys.{" "}
      {resend.isSuccess ? (
        "Sent again."
      ) : (
        <button
          type="button"
          className="font-medium underline"
          disabled={resend.isPending}
          onClick={() => resend.mutate()}
        >
          Send the link again
        </button>
      )}
      {resend.error ? <span className="ml-2">{describeError(resend.error).message}</span> : null}{" "}
      <Link className="underline" href="/account">
        Change address
      </Link>
    </div>
  );
}
