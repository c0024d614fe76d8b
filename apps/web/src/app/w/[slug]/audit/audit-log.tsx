"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import type { AppRouter } from "@tributary/api";
import type { inferRouterInputs } from "@trpc/server";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { type FormEvent, useId } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card, PageHeader } from "~/components/page-header.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";

type Action = NonNullable<inferRouterInputs<AppRouter>["audit"]["list"]["action"]>;

const LABELS: Record<Action, string> = {
  "user.signed_in": "Signed in",
  "user.password_reset": "Reset their password",
  "user.account_deleted": "Deleted their account",
  "user.two_factor_enabled": "Turned on two-factor sign-in",
  "user.two_factor_disabled": "Turned off two-factor sign-in",
  "workspace.created": "Created the workspace",
  "workspace.renamed": "Renamed the workspace",
  "workspace.deleted": "Deleted the workspace",
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
  "flow.created": "Created the flow",
  "flow.renamed": "Renamed the flow",
  "flow.published": "Published the flow",
  "flow.status_changed": "Paused or activated the flow",
  "flow.deleted": "Deleted the flow",
  "flow.version_restored": "Restored a version of the flow",
  "secret.saved": "Saved the secret",
  "secret.deleted": "Deleted the secret",
  "connection.saved": "Saved the connection",
  "connection.deleted": "Deleted the connection",
  "settings.changed": "Changed the settings",
  "security_rule.saved": "Saved the security rule",
  "security_rule.secret_rotated": "Rotated the secret of the security rule",
  "security_rule.deleted": "Deleted the security rule",
  "topic.saved": "Saved the topic",
  "api_key.created": "Created the API key",
  "api_key.revoked": "Revoked the API key",
  "api.call": "Called the API",
  "runs.bulk_rerun": "Re-ran runs",
  "workspace.bundle_imported": "Imported a workspace bundle",
  "alert_rule.saved": "Saved the alert rule",
  "alert_rule.deleted": "Deleted the alert rule",
  "alert_rule.tested": "Sent a test alert of the rule",
  "dead_letters.replayed": "Replayed dead letters",
  "dead_letters.discarded": "Discarded dead letters",
};
const ACTIONS = Object.keys(LABELS) as Action[];
const isAction = (value: string | null): value is Action => value !== null && value in LABELS;

/** What the details add to the action and its target's name. */
function describe(action: string, details: unknown): string {
  if (!details || typeof details !== "object") return "";
  const d = details as Record<string, unknown>;
  if (action === "flow.published" && d.version) return `as version ${String(d.version)}`;
  if (action === "flow.status_changed" && typeof d.status === "string")
    return d.status === "active" ? "(activated)" : "(paused)";
  if (action === "flow.renamed" && typeof d.from === "string") return `(was “${d.from}”)`;
  if (action === "api.call" && typeof d.method === "string")
    return `${d.method} ${String(d.path)} → ${String(d.status)}`;
  if (d.from && d.to && typeof d.from === "string") return `${d.from} → ${String(d.to)}`;
  if (d.from && d.to && typeof d.from === "object") {
    const from = d.from as { name?: string; slug?: string };
    const to = d.to as { name?: string; slug?: string };
    return `${from.name} (${from.slug}) → ${to.name} (${to.slug})`;
  }
  return d.role ? `as ${String(d.role)}` : "";
}

/** A day picked in a date field as the local midnight it starts at. */
const dayStart = (day: string | null) =>
  day && /^\d{4}-\d{2}-\d{2}$/.test(day) ? new Date(`${day}T00:00`) : undefined;
const dayAfter = (day: string | null) => {
  const start = dayStart(day);
  return start ? new Date(start.getFullYear(), start.getMonth(), start.getDate() + 1) : undefined;
};

export function AuditLog() {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const id = useId();
  // Filters live in the URL, so a reload, a bookmark or a shared link shows the same events.
  const actionParam = params.get("action");
  const action = isAction(actionParam) ? actionParam : undefined;
  const actor = params.get("actor") ?? "";
  const from = params.get("from") ?? "";
  const to = params.get("to") ?? "";
  const filtered = Boolean(action || actor || from || to);

  function setFilters(changes: Record<string, string>) {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    const query = next.toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  }

  const since = dayStart(from);
  const until = dayAfter(to);
  const events = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      {
        workspaceId: workspace.id,
        limit: 50,
        ...(action ? { action } : {}),
        ...(actor ? { actor } : {}),
        ...(since ? { since } : {}),
        ...(until ? { until } : {}),
      },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
  );
  const rows = events.data?.pages.flatMap((page) => page.events) ?? [];

  function submitActor(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = new FormData(event.currentTarget).get("actor");
    setFilters({ actor: typeof value === "string" ? value.trim() : "" });
  }

  return (
    <>
      <PageHeader title="Audit log" description="Who did what, and when, in this workspace. Newest first." />
      <search aria-label="Filter the audit log" className="mb-4">
        <form onSubmit={submitActor} className="flex flex-wrap items-end gap-3">
          <div>
            <label htmlFor={`${id}-action`} className="block text-sm font-medium text-slate-700">
              Action
            </label>
            <select
              id={`${id}-action`}
              value={action ?? ""}
              onChange={(e) => setFilters({ action: e.target.value })}
              className="mt-1 block rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm"
            >
              <option value="">All actions</option>
              {ACTIONS.map((name) => (
                <option key={name} value={name}>
                  {LABELS[name]}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={`${id}-actor`} className="block text-sm font-medium text-slate-700">
              Who (email contains)
            </label>
            <input
              id={`${id}-actor`}
              name="actor"
              type="search"
              key={actor}
              defaultValue={actor}
              onBlur={(e) => {
                if (e.target.value.trim() !== actor) setFilters({ actor: e.target.value.trim() });
              }}
              className="mt-1 block rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm"
            />
          </div>
          <DayField
            id={`${id}-from`}
            label="From"
            value={from}
            max={to}
            onChange={(day) => setFilters({ from: day })}
          />
          <DayField id={`${id}-to`} label="To" value={to} min={from} onChange={(day) => setFilters({ to: day })} />
          <Button type="submit" variant="secondary">
            Filter
          </Button>
          {filtered ? (
            <Button variant="ghost" onClick={() => setFilters({ action: "", actor: "", from: "", to: "" })}>
              Clear filters
            </Button>
          ) : null}
        </form>
      </search>
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
            {!events.isPending && !rows.length ? (
              <tr>
                <td colSpan={4} className="px-4 py-3 text-slate-500">
                  {filtered ? "No events match these filters." : "No events yet."}
                </td>
              </tr>
            ) : null}
            {rows.map((event) => (
              <tr key={event.id}>
                <td className="px-4 py-2.5 whitespace-nowrap text-slate-600">{event.createdAt.toLocaleString()}</td>
                <td className="px-4 py-2.5">{event.actorEmail ?? "system"}</td>
                <td className="px-4 py-2.5">
                  <span className="font-medium">{isAction(event.action) ? LABELS[event.action] : event.action}</span>
                  {event.targetName ? <> “{event.targetName}”</> : null}{" "}
                  <span className="text-slate-600">{describe(event.action, event.details)}</span>
                </td>
                <td className="hidden px-4 py-2.5 font-mono text-xs text-slate-600 md:table-cell">{event.ip ?? "—"}</td>
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

function DayField({
  id,
  label,
  value,
  min,
  max,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  min?: string;
  max?: string;
  onChange: (day: string) => void;
}) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <input
        id={id}
        type="date"
        value={value}
        min={min || undefined}
        max={max || undefined}
        onChange={(e) => onChange(e.target.value)}
        className="mt-1 block rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm"
      />
    </div>
  );
}
