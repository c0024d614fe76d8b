"use client";
import type { Action } from "@tributary/core";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useWorkspace } from "./workspace-context.tsx";

const ITEMS: { path: string; label: string; needs: Action }[] = [
  { path: "", label: "Overview", needs: "workspace.read" },
  { path: "/flows", label: "Flows", needs: "flows.read" },
  { path: "/runs", label: "Runs", needs: "runs.read" },
  { path: "/topics", label: "Topics", needs: "runs.read" },
  { path: "/alerts", label: "Alerts", needs: "alerts.read" },
  { path: "/connections", label: "Connections", needs: "connections.read" },
  { path: "/secrets", label: "Secrets", needs: "secrets.read" },
  { path: "/members", label: "Members", needs: "members.read" },
  { path: "/security", label: "Security", needs: "security.read" },
  { path: "/api-keys", label: "API keys", needs: "apikeys.manage" },
  { path: "/audit", label: "Audit log", needs: "audit.read" },
  { path: "/settings", label: "Settings", needs: "workspace.read" },
];

export function WorkspaceNav() {
  const workspace = useWorkspace();
  const pathname = usePathname();
  const base = `/w/${workspace.slug}`;
  return (
    <nav aria-label="Workspace" className="-mb-px flex gap-1 overflow-x-auto">
      {ITEMS.filter((item) => workspace.can(item.needs)).map((item) => {
        const href = `${base}${item.path}`;
        const active = item.path ? pathname.startsWith(href) : pathname === base;
        return (
          <Link
            key={item.path}
            href={href}
            aria-current={active ? "page" : undefined}
            className="border-b-2 border-transparent px-3 py-2.5 text-sm whitespace-nowrap text-slate-600 hover:text-slate-900 aria-[current]:border-brand-600 aria-[current]:font-medium aria-[current]:text-slate-900"
          >
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}
