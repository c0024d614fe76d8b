"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { TextField } from "~/components/text-field.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

export function SignUpForm({ invite, email: invitedEmail }: { invite: string | null; email: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [email, setEmail] = useState(invitedEmail);
  const [password, setPassword] = useState("");
  const [signInError, setSignInError] = useState<string | null>(null);
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());
  const acceptInvite = useMutation(trpc.invites.accept.mutationOptions());
  const problem = signUp.error ? describeError(signUp.error) : null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSignInError(null);
    const { workspaceSlug } = await signUp.mutateAsync({ email, password }).catch(() => ({ workspaceSlug: null }));
    if (!workspaceSlug) return;
    const result = await signIn("credentials", { email, password, redirect: false });
    if (!result?.ok) {
      setSignInError("Your account was created, but signing in failed. Sign in to continue.");
      return;
    }
    // An account made to accept an invite accepts it: the person said so with "Create an account to accept".
    // If that fails, the invite's page says why (used, withdrawn, for another email…).
    const joined = invite ? await acceptInvite.mutateAsync({ token: invite }).catch(() => null) : null;
    router.push(joined ? `/w/${joined.workspaceSlug}` : invite ? `/invite/${invite}` : `/w/${workspaceSlug}`);
    router.refresh();
  }

  const busy = signUp.isPending || (signUp.isSuccess && !signInError);
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {problem ? <Alert>{problem.message}</Alert> : null}
      {signInError ? <Alert>{signInError}</Alert> : null}
      <TextField
        label="Email"
        type="email"
        name="email"
        autoComplete="email"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={problem?.fields.email}
      />
      <TextField
        label="Password"
        type="password"
        name="password"
        autoComplete="new-password"
        required
        minLength={10}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={problem?.fields.password}
        hint="At least 10 characters. A few unrelated words make a strong password."
      />
      <Button type="submit" className="w-full" busy={busy}>
        Create account
      </Button>
    </form>
  );
}
