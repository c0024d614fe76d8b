"use client";
import { SECOND_FACTOR_NEEDED, WRONG_SECOND_FACTOR } from "@tributary/core/sign-in-messages";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { TextField } from "~/components/text-field.tsx";

export function SignInForm({ next, notice }: { next: string; notice: string | null }) {
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  // Accounts with two-factor sign-in are asked for a code after the password was right.
  const [askCode, setAskCode] = useState(false);
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const result = await signIn("credentials", { email, password, code, redirect: false }).catch(() => null);
    if (!result?.ok) {
      setBusy(false);
      if (result?.error === SECOND_FACTOR_NEEDED || result?.error === WRONG_SECOND_FACTOR) setAskCode(true);
      if (result?.error === SECOND_FACTOR_NEEDED) return;
      setCode("");
      setError(result?.error && result.error !== "CredentialsSignin" ? result.error : "Sign-in failed. Try again.");
      return;
    }
    router.push(next);
    router.refresh();
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {notice ? <Alert tone="info">{notice}</Alert> : null}
      {error ? <Alert>{error}</Alert> : null}
      <TextField
        label="Email"
        type="email"
        name="email"
        autoComplete="email"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <TextField
        label="Password"
        type="password"
        name="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      {askCode ? (
        <TextField
          label="Authentication code"
          name="code"
          hint={SECOND_FACTOR_NEEDED}
          autoComplete="one-time-code"
          autoFocus
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
      ) : null}
      <Button type="submit" className="w-full" busy={busy}>
        Sign in
      </Button>
      <p className="text-center text-sm">
        <Link className="text-brand-600 hover:underline" href="/forgot-password">
          Forgot password?
        </Link>
      </p>
    </form>
  );
}
