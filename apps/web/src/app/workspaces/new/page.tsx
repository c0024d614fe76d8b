import type { Metadata } from "next";
import { AuthCard } from "~/components/auth-card.tsx";
import { requireAuth } from "~/server/require-auth.ts";
import { CreateWorkspaceForm } from "./create-workspace-form.tsx";

export const metadata: Metadata = { title: "New workspace" };

export default async function NewWorkspacePage() {
  await requireAuth("/workspaces/new");
  return (
    <AuthCard title="Create a workspace">
      <p className="mb-4 text-sm text-slate-600">
        A workspace holds flows, connections, secrets and runs, shared with the members you invite.
      </p>
      <CreateWorkspaceForm />
    </AuthCard>
  );
}
