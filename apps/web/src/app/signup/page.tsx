import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "~/components/auth-card.tsx";
import { SignUpForm } from "./sign-up-form.tsx";

export const metadata: Metadata = { title: "Sign up" };

export default async function SignUpPage({
  searchParams,
}: {
  searchParams: Promise<{ invite?: string; email?: string }>;
}) {
  const { invite, email } = await searchParams;
  const loginHref = invite ? `/login?callbackUrl=${encodeURIComponent(`/invite/${invite}`)}` : "/login";
  return (
    <AuthCard
      title="Create your account"
      footer={
        <>
          Already have an account?{" "}
          <Link className="font-medium text-brand-600 hover:underline" href={loginHref}>
            Sign in
          </Link>
        </>
      }
    >
      <SignUpForm invite={invite ?? null} email={email ?? ""} />
    </AuthCard>
  );
}
