"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { signOut } from "next-auth/react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

export function AcceptInvite({
  token,
  signedInAs,
  invitedEmail,
}: {
  token: string;
  signedInAs: string;
  invitedEmail: string;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const accept = useMutation(
    trpc.invites.accept.mutationOptions({
      onSuccess: ({ workspaceSlug }) => {
        router.push(`/w/${workspaceSlug}`);
        router.refresh();
      },
    }),
  );
  if (signedInAs !== invitedEmail) {
    return (
      <div className="space-y-3">
        <Alert>
          You are signed in as {signedInAs}, but this invite is for {invitedEmail}. Sign out and sign in with the
          invited email.
        </Alert>
        <Button
          variant="secondary"
          onClick={() => void signOut({ callbackUrl: `/login?callbackUrl=/invite/${token}` })}
        >
          Sign out
        </Button>
      </div>
    );
  }
  return (
    <div className="space-y-3">
      {accept.error ? <Alert>{describeError(accept.error).message}</Alert> : null}
      <Button className="w-full" busy={accept.isPending || accept.isSuccess} onClick={() => accept.mutate({ token })}>
        Accept invitation
      </Button>
    </div>
  );
}
