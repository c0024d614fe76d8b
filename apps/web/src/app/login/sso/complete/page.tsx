import type { Metadata } from "next";
import { AuthCard } from "~/components/auth-card.tsx";
import { CompleteSsoSignIn } from "./complete-sso-sign-in.tsx";

export const metadata: Metadata = { title: "Signing in" };

export default async function CompleteSsoPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  // Only same-site paths: an open redirect after sign-in would be a phishing aid.
  const target = next?.startsWith("/") && !next.startsWith("//") ? next : "/workspaces";
  return (
    <AuthCard title="Signing you in…">
      <CompleteSsoSignIn next={target} />
    </AuthCard>
  );
}
