import { AppError, touchDemo } from "@tributary/core";
import { TRPCError } from "@trpc/server";
import { notFound, redirect } from "next/navigation";
import type { ReactNode } from "react";
import { VerifyEmailBanner } from "~/components/account/verify-email-banner.tsx";
import { DemoBanner } from "~/components/demo/demo-banner.tsx";
import { Logo } from "~/components/logo.tsx";
import { UserMenu } from "~/components/workspace/user-menu.tsx";
import { WorkspaceProvider } from "~/components/workspace/workspace-context.tsx";
import { WorkspaceNav } from "~/components/workspace/workspace-nav.tsx";
import { WorkspaceSwitcher } from "~/components/workspace/workspace-switcher.tsx";
import { serverCaller } from "~/server/caller.ts";
import { deps } from "~/server/deps.ts";
import { requireAuth } from "~/server/require-auth.ts";
import { ssoPageUrl } from "~/server/sso-cookies.ts";

export const dynamic = "force-dynamic";

export default async function WorkspaceLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ slug: string }>;
}) {
  const { slug } = await params;
  const { user } = await requireAuth(`/w/${slug}`);
  const workspace = await (await serverCaller()).workspaces.bySlug({ slug }).catch((error: unknown) => {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") notFound();
    const refusal = error instanceof TRPCError && error.cause instanceof AppError ? error.cause : null;
    // The workspace takes only sessions from its single sign-on (or this one came from another's): sign in there.
    if (refusal?.details?.ssoRequired || refusal?.details?.otherSsoSession) {
      const { pathname, search } = ssoPageUrl({ origin: "http://relative", error: refusal.message, typed: slug });
      redirect(`${pathname}${search}`);
    }
    // The workspace requires two-factor sign-in and this member has not turned it on: set it up first.
    if (error instanceof TRPCError && error.code === "FORBIDDEN") redirect(`/account?twoFactorFor=${slug}`);
    throw error;
  });
  // A demo lives while it is used.
  if (workspace.isDemo) await touchDemo({ db: deps().db, workspaceId: workspace.id });
  return (
    <WorkspaceProvider workspace={{ ...workspace, user: { id: user.id, email: user.email } }}>
      {workspace.isDemo ? <DemoBanner /> : <VerifyEmailBanner />}
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl items-center justify-between gap-4 px-4 pt-3">
          <div className="flex min-w-0 items-center gap-3">
            <Logo href={`/w/${workspace.slug}`} />
            <span className="text-slate-300" aria-hidden>
              /
            </span>
            <WorkspaceSwitcher />
          </div>
          <UserMenu email={user.email} />
        </div>
        <div className="mx-auto max-w-6xl px-4">
          <WorkspaceNav />
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-8">{children}</main>
    </WorkspaceProvider>
  );
}
