"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { TextField } from "~/components/text-field.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

export function ResetPasswordForm({ token }: { token: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [password, setPassword] = useState("");
  const link = useQuery(trpc.auth.checkPasswordResetLink.queryOptions({ token }));
  const reset = useMutation(
    trpc.auth.resetPassword.mutationOptions({ onSuccess: () => router.push("/login?notice=password-reset") }),
  );
  const problem = reset.error ? describeError(reset.error) : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    reset.mutate({ token, password });
  }

  if (link.isPending) return <p className="text-sm text-slate-600">Checking your link…</p>;
  if (link.data?.valid === false) {
    return (
      <div className="space-y-4">
        <Alert>This reset link is not valid any more: it was used, replaced or has expired.</Alert>
        <Link className="text-sm font-medium text-brand-600 hover:underline" href="/forgot-password">
          Ask for a new link
        </Link>
      </div>
    );
  }
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {problem ? <Alert>{problem.message}</Alert> : null}
      <TextField
        label="New password"
        type="password"
        name="password"
        autoComplete="new-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={problem?.fields.password}
        hint="At least 10 characters. Every session of your account is signed out afterwards."
      />
      <Button type="submit" className="w-full" busy={reset.isPending || reset.isSuccess}>
        Set new password
      </Button>
    </form>
  );
}
