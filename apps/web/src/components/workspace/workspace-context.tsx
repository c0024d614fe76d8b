"use client";
// The workspace a page is in, with the caller's role and the actions it allows. The UI uses `can` only to
// hide what a role cannot do; the server checks every call again.
import type { Action, Role } from "@tributary/core";
import { createContext, type ReactNode, useContext } from "react";

export type CurrentWorkspace = {
  id: string;
  slug: string;
  name: string;
  role: Role;
  permissions: readonly Action[];
  /** A demo sandbox: its flows reach only the sample API. */
  isDemo: boolean;
  user: { id: string; email: string };
};

const WorkspaceContext = createContext<CurrentWorkspace | null>(null);

export function WorkspaceProvider({ workspace, children }: { workspace: CurrentWorkspace; children: ReactNode }) {
  return <WorkspaceContext.Provider value={workspace}>{children}</WorkspaceContext.Provider>;
}

export function useWorkspace(): CurrentWorkspace & { can(action: Action): boolean } {
  const workspace = useContext(WorkspaceContext);
  if (!workspace) throw new Error("useWorkspace() outside a workspace page");
  return { ...workspace, can: (action) => workspace.permissions.includes(action) };
}
