"use client";
import Link from "next/link";
import { Card, PageHeader } from "~/components/page-header.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";

export function Overview() {
  const workspace = useWorkspace();
  return (
    <>
      <PageHeader
        title={workspace.name}
        description={`You are ${article(workspace.role)} ${workspace.role} of this workspace.`}
      />
      <div className="grid gap-4 sm:grid-cols-2">
        <Card className="p-5">
          <h2 className="font-medium">Team</h2>
          <p className="mt-1 text-sm text-slate-600">See who is in this workspace and what each role may do.</p>
          <Link
            href={`/w/${workspace.slug}/members`}
            className="mt-3 inline-block text-sm font-medium text-brand-600 hover:underline"
          >
            {workspace.can("members.manage") ? "Invite your team →" : "See members →"}
          </Link>
        </Card>
        {workspace.can("audit.read") ? (
          <Card className="p-5">
            <h2 className="font-medium">Audit log</h2>
            <p className="mt-1 text-sm text-slate-600">
              Who signed in, invited, changed roles or renamed the workspace, and from where.
            </p>
            <Link
              href={`/w/${workspace.slug}/audit`}
              className="mt-3 inline-block text-sm font-medium text-brand-600 hover:underline"
            >
              Open the audit log →
            </Link>
          </Card>
        ) : null}
      </div>
    </>
  );
}

function article(word: string) {
  return /^[aeiou]/.test(word) ? "an" : "a";
}
