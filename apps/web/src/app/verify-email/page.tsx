import type { Metadata } from "next";
import { AuthCard } from "~/components/auth-card.tsx";
import { VerifyEmailForm } from "./verify-email-form.tsx";

export const metadata: Metadata = { title: "Verify your email address", referrer: "no-referrer" };

export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  return (
    <AuthCard title="Verify your email address">
      <VerifyEmailForm token={token ?? ""} />
    </AuthCard>
  );
}
