import type { Metadata } from "next";
import { AuthCard } from "~/components/auth-card.tsx";
import { requireAuth } from "~/server/require-auth.ts";
import { KeepDemoForm } from "./keep-demo-form.tsx";

export const metadata: Metadata = { title: "Keep your demo workspace" };
export const dynamic = "force-dynamic";

export default async function KeepDemoPage() {
  await requireAuth("/keep");
  return (
    <AuthCard title="Keep your demo workspace">
      <p className="mb-4 text-sm text-slate-600">
        Choose an email and a password: your flows and runs stay, and the workspace moves to the free plan.
      </p>
      <KeepDemoForm />
    </AuthCard>
  );
}
