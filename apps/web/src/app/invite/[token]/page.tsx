import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import Link from "next/link";
import { Alert } from "~/components/alert.tsx";
import { AuthCard } from "~/components/auth-card.tsx";
import { getAuth } from "~/server/auth.ts";
import { serverCaller } from "~/server/caller.ts";
import { AcceptInvite } from "./accept-invite.tsx";

export const metadata: Metadata = { title: "Invitation" };
export const dynamic = "force-dynamic";

const STATUS: Record<string, string> = {
  used: "This invite link was already used. Ask for a new invite if you still need one.",
  revoked: "This invite was withdrawn. Ask for a new invite.",
  expired: "This invite link has expired. Ask for a new invite.",
};

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const caller = await serverCaller();
  const invite = await caller.auth.previewInvite({ token }).catch((error: unknown) => {
    if (error instanceof TRPCError) return { error: error.message };
    throw error;
  });
  if ("error" in invite) {
    return (
      <AuthCard title="Invitation">
        <Alert>{invite.error}</Alert>
      </AuthCard>
    );
  }
  const auth = await getAuth();
  const here = `/invite/${token}`;
  return (
    <AuthCard title={`Join ${invite.workspaceName}`}>
      <p className="text-sm text-slate-700">
        You are invited to the workspace <strong>{invite.workspaceName}</strong> as <strong>{invite.role}</strong>. The
        invite is for <strong>{invite.email}</strong>.
      </p>
      <div className="mt-5">
        {invite.status !== "valid" ? (
          <Alert>{STATUS[invite.status]}</Alert>
        ) : auth ? (
          <AcceptInvite token={token} signedInAs={auth.user.email} invitedEmail={invite.email} />
        ) : (
          <div className="flex flex-col gap-2">
            <Link
              href={`/signup?invite=${encodeURIComponent(token)}&email=${encodeURIComponent(invite.email)}`}
              className="rounded-md bg-brand-600 px-3.5 py-2 text-center text-sm font-medium text-white hover:bg-brand-700"
            >
              Create an account to accept
            </Link>
            <Link
              href={`/login?callbackUrl=${encodeURIComponent(here)}`}
              className="rounded-md bg-white px-3.5 py-2 text-center text-sm font-medium ring-1 ring-slate-300 hover:bg-slate-50"
            >
              I have an account: sign in
            </Link>
          </div>
        )}
      </div>
    </AuthCard>
  );
}
