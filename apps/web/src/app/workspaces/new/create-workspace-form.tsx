"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { TextField } from "~/components/text-field.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

export function CreateWorkspaceForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const create = useMutation(
    trpc.workspaces.create.mutationOptions({
      onSuccess: async (workspace) => {
        await queryClient.invalidateQueries({ queryKey: trpc.workspaces.list.queryKey() });
        router.push(`/w/${workspace.slug}`);
      },
    }),
  );
  const problem = create.error ? describeError(create.error) : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ name, ...(slug.trim() ? { slug } : {}) });
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {problem ? <Alert>{problem.message}</Alert> : null}
      <TextField
        label="Name"
        name="name"
        required
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={problem?.fields.name}
      />
      <TextField
        label="Slug (optional)"
        name="slug"
        value={slug}
        onChange={(e) => setSlug(e.target.value)}
        error={problem?.fields.slug}
        hint="Used in URLs: /w/your-slug. Left empty, one is made from the name."
      />
      <Button type="submit" className="w-full" busy={create.isPending || create.isSuccess}>
        Create workspace
      </Button>
    </form>
  );
}
