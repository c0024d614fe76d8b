"use client";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { Alert } from "../alert.tsx";
import { Button } from "../button.tsx";

/** Starts a demo at once: a fresh workspace with sample flows, no sign-up. */
export function TryDemoButton({ variant = "secondary" }: { variant?: "primary" | "secondary" }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function start() {
    setBusy(true);
    setError(null);
    const result = await signIn("demo", { redirect: false }).catch(() => null);
    if (!result?.ok) {
      setBusy(false);
      setError(
        result?.error && result.error !== "CredentialsSignin" ? result.error : "The demo could not start. Try again.",
      );
      return;
    }
    router.push("/workspaces");
    router.refresh();
  }
  return (
    <div>
      <Button variant={variant} busy={busy} onClick={() => void start()} className="px-5 py-2.5">
        Try the demo
      </Button>
      {error ? (
        <div className="mt-3 max-w-md">
          <Alert>{error}</Alert>
        </div>
      ) : null}
    </div>
  );
}
