"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { TextField } from "~/components/text-field.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

export function KeepDemoForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const keep = useMutation(
    trpc.account.keepDemo.mutationOptions({
      onSuccess: () => {
        router.push("/workspaces");
        router.refresh();
      },
    }),
  );
  const problem = keep.error ? describeError(keep.error) : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    keep.mutate({ email, password });
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {problem && !Object.keys(problem.fields).length ? <Alert>{problem.message}</Alert> : null}
      <TextField
        label="Email"
        type="email"
        autoComplete="email"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={problem?.fields.email}
      />
      <TextField
        label="Password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={problem?.fields.password}
        hint="At least 10 characters; a few unusual words work well."
      />
      <Button type="submit" busy={keep.isPending} className="w-full">
        Keep my workspace
      </Button>
    </form>
  );
}
