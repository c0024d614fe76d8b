import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "~/components/auth-card.tsx";
import { verifiedSsoError } from "~/server/sso-cookies.ts";
import { SsoStartForm } from "./sso-start-form.tsx";

export const metadata: Metadata = { title: "Sign in with SSO" };

export default async function SsoSignInPage({
  searchParams,
}: {
  searchParams: Promise<{ for?: string; error?: string; sig?: string }>;
}) {
  const { for: typed, error, sig } = await searchParams;
  return (
    <AuthCard
      title="Sign in with SSO"
      footer={
        <>
          Have a password?{" "}
          <Link className="font-medium text-brand-600 hover:underline" href="/login">
            Sign in with email and password
          </Link>
        </>
      }
    >
      <SsoStartForm initial={typed?.slice(0, 254) ?? ""} error={verifiedSsoError({ error, sig })} />
    </AuthCard>
  );
}
