import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "~/components/auth-card.tsx";
import { TryDemoButton } from "~/components/demo/try-demo-button.tsx";
import { SignInForm } from "./sign-in-form.tsx";

export const metadata: Metadata = { title: "Sign in" };

const NOTICES: Record<string, string> = {
  "password-changed": "Your password was changed and every session signed out. Sign in with the new password.",
  "signed-out-everywhere": "You were signed out everywhere. Sign in again.",
  "account-deleted": "Your account was deleted. Thank you for using Tributary.",
  "password-reset": "Your password was reset and every session signed out. Sign in with the new password.",
};

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string; notice?: string }>;
}) {
  const { callbackUrl, notice } = await searchParams;
  // Only same-site paths: an open redirect after sign-in would be a phishing aid.
  const next = callbackUrl?.startsWith("/") && !callbackUrl.startsWith("//") ? callbackUrl : "/workspaces";
  return (
    <AuthCard
      title="Sign in to Tributary"
      footer={
        <>
          New here?{" "}
          <Link className="font-medium text-brand-600 hover:underline" href="/signup">
            Create an account
          </Link>
        </>
      }
    >
      <SignInForm next={next} notice={notice ? (NOTICES[notice] ?? null) : null} />
      <Link
        href="/login/sso"
        className="mt-4 block w-full rounded-md border border-slate-300 px-3 py-2 text-center text-sm font-medium text-slate-700 hover:bg-slate-50"
      >
        Sign in with SSO
      </Link>
      <div className="mt-6 border-t border-slate-200 pt-4 text-center text-sm text-slate-600">
        <p className="mb-2">No account? Look around first.</p>
        <TryDemoButton />
      </div>
    </AuthCard>
  );
}
