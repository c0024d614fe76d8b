"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useEffect, useRef, useState } from "react";
import { Alert } from "~/components/alert.tsx";

/** Exchanges the one-time ticket the SSO callback left in a cookie for a session, then opens the workspace. */
export function CompleteSsoSignIn({ next }: { next: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);
  useEffect(() => {
    // Once: the ticket is single-use, and React may run effects twice in development.
    if (started.current) return;
    started.current = true;
    void signIn("sso", { redirect: false })
      .catch(() => null)
      .then((result) => {
        if (result?.ok) {
          router.replace(next);
          router.refresh();
        } else {
          setError(result?.error && result.error !== "CredentialsSignin" ? result.error : "Sign-in failed. Try again.");
        }
      });
  }, [next, router]);
  if (!error) return <p className="text-sm text-slate-600">One moment…</p>;
  return (
    <div className="space-y-4">
      <Alert>{error}</Alert>
      <Link className="text-sm font-medium text-brand-600 hover:underline" href="/login/sso">
        Start again
      </Link>
    </div>
  );
}
