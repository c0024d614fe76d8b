"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "~/trpc/react.tsx";
import { useWorkspace } from "./workspace-context.tsx";

/** The current workspace's name; opens a list of the user's workspaces and a way to create one. */
export function WorkspaceSwitcher() {
  const trpc = useTRPC();
  const current = useWorkspace();
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const workspaces = useQuery(trpc.workspaces.list.queryOptions());

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !root.current?.contains(event.target as Node))
        setOpen(false);
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);

  return (
    <div ref={root} className="relative">
      <button
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={`Workspace: ${current.name}. Switch workspace`}
        onClick={() => setOpen(!open)}
        className="flex max-w-56 items-center gap-2 rounded-md px-2.5 py-1.5 text-sm font-medium hover:bg-slate-100"
      >
        <span className="truncate">{current.name}</span>
        <svg viewBox="0 0 20 20" className="size-4 shrink-0 text-slate-500" aria-hidden>
          <path d="M6 8l4 4 4-4" fill="none" stroke="currentColor" strokeWidth="1.5" />
        </svg>
      </button>
      {open ? (
        <div
          role="menu"
          className="absolute left-0 z-20 mt-1 w-64 rounded-md border border-slate-200 bg-white p-1 shadow-lg"
        >
          {workspaces.isPending ? <p className="px-3 py-2 text-sm text-slate-500">Loading…</p> : null}
          {workspaces.data?.map((workspace) => (
            <Link
              key={workspace.id}
              role="menuitem"
              href={`/w/${workspace.slug}`}
              onClick={() => setOpen(false)}
              aria-current={workspace.id === current.id ? "true" : undefined}
              className="flex items-center justify-between rounded px-3 py-2 text-sm hover:bg-slate-100 aria-[current]:font-semibold"
            >
              <span className="truncate">{workspace.name}</span>
              <span className="text-xs text-slate-500">{workspace.role}</span>
            </Link>
          ))}
          <div className="my-1 border-t border-slate-100" />
          <Link
            role="menuitem"
            href="/workspaces/new"
            className="block rounded px-3 py-2 text-sm text-brand-600 hover:bg-slate-100"
          >
            + Create workspace
          </Link>
        </div>
      ) : null}
    </div>
  );
}
