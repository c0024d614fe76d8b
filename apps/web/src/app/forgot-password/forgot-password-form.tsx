"use client";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { TextField } from "~/components/text-field.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

export function ForgotPasswordForm() {
  const trpc = useTRPC();
  const [email, setEmail] = useState("");
  const request = useMutation(trpc.auth.requestPasswordReset.mutationOptions());
  const problem = request.error ? describeError(request.error) : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    request.mutate({ email });
  }

  if (request.isSuccess) {
    // The same words whether or not an account has the address: the form must not tell who has one.
    return (
      <Alert tone="info">
        If an account uses {email}, we sent it a link to choose a new password. It works once, for an hour. No mail?
        Check your spam folder, or ask your administrator.
      </Alert>
    );
  }
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <p className="text-sm text-slate-600">Enter the email address of your account and we will mail you a link.</p>
      {problem ? <Alert>{problem.message}</Alert> : null}
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
      <Button type="submit" className="w-full" busy={request.isPending}>
        Send reset link
      </Button>
    </form>
  );
}
