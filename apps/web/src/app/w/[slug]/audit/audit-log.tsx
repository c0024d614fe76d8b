"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card, PageHeader } from "~/components/page-header.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

const LABELS: Record<string, string> = {
  "user.signed_in": "Signed in",
  "user.password_reset": "Reset their password",
  "user.account_deleted": "Deleted their account",
  "user.two_factor_enabled": "Turned on two-factor sign-in",
  "user.two_factor_disabled": "Turned off two-factor sign-in",
  "workspace.created": "Created the workspace",
  "workspace.renamed": "Renamed the workspace",
  "member.invited": "Invited a member",
  "member.invite_revoked": "Revoked an invite",
  "member.joined": "Joined",
  "member.role_changed": "Changed a role",
  "member.removed": "Removed a member",
  "member.left": "Left the workspace",
  "sso.configured": "Changed single sign-on",
  "sso.removed": "Removed single sign-on",
  "sso.signed_in": "Signed in with single sign-on",
  "sso.refused": "Refused at single sign-on",
};

function describe(details: unknown): string {
  if (!details || typeof details !== "object") return "";
  const d = details as Record<string, unknown>;
  if (d.from && d.to && typeof d.from === "string") return `${d.email ?? ""}: ${d.from} → ${String(d.to)}`;
  if (d.from && d.to && typeof d.from === "object") {
    const from = d.from as { name?: string; slug?: string };
    const to = d.to as { name?: string; slug?: string };
    return `${from.name} (${from.slug}) → ${to.name} (${to.slug})`;
  }
  return [d.email, d.role ? `as ${d.role}` : null, d.name].filter(Boolean).join(" ");
}

export function AuditLog() {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const events = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { workspaceId: workspace.id, limit: 50 },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
  );
  const rows = events.data?.pages.flatMap((page) => page.events) ?? [];
  return (
    <>
      <PageHeader title="Audit log" description="Who did what, and when, in this workspace. Newest first." />
      {events.error ? <Alert>{describeError(events.error).message}</Alert> : null}
      <Card className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Audit events</caption>
          <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
            <tr>
              <th className="px-4 py-2.5 font-medium">When</th>
              <th className="px-4 py-2.5 font-medium">Who</th>
              <th className="px-4 py-2.5 font-medium">What</th>
              <th className="hidden px-4 py-2.5 font-medium md:table-cell">From</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {events.isPending ? (
              <tr>
                <td colSpan={4} className="px-4 py-3 text-slate-500">
                  Loading…
                </td>
              </tr>
            ) : null}
            {rows.map((event) => (
              <tr key={event.id}>
                <td className="px-4 py-2.5 whitespace-nowrap text-slate-500">{event.createdAt.toLocaleString()}</td>
                <td className="px-4 py-2.5">{event.actorEmail ?? "system"}</td>
                <td className="px-4 py-2.5">
                  <span className="font-medium">{LABELS[event.action] ?? event.action}</span>{" "}
                  <span className="text-slate-600">{describe(event.details)}</span>
                </td>
                <td className="hidden px-4 py-2.5 font-mono text-xs text-slate-500 md:table-cell">{event.ip ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      {events.hasNextPage ? (
        <div className="mt-4 text-center">
          <Button variant="secondary" busy={events.isFetchingNextPage} onClick={() => void events.fetchNextPage()}>
            Load older events
          </Button>
        </div>
      ) : null}
    </>
  );
}
