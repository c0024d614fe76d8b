import type { Metadata } from "next";
import Link from "next/link";
import { Logo } from "~/components/logo.tsx";
import { requireAuth } from "~/server/require-auth.ts";
import { AccountSettings } from "./account-settings.tsx";

export const metadata: Metadata = { title: "Account" };
export const dynamic = "force-dynamic";

export default async function AccountPage({ searchParams }: { searchParams: Promise<{ twoFactorFor?: string }> }) {
  const { user } = await requireAuth("/account");
  // Set by a workspace that requires two-factor sign-in and sent its member here (w/[slug]/layout.tsx).
  const { twoFactorFor } = await searchParams;
  return (
    <div className="mx-auto max-w-2xl px-4 py-8">
      <div className="mb-8 flex items-center justify-between">
        <Logo href="/workspaces" />
        <Link href="/workspaces" className="text-sm text-brand-600 hover:underline">
          Back to your workspace
        </Link>
      </div>
      <h1 className="text-xl font-semibold">Your account</h1>
      <p className="mt-1 text-sm text-slate-600">Signed in as {user.email}</p>
      <AccountSettings twoFactorFor={twoFactorFor ?? null} />
    </div>
  );
}
