// The permission matrix, written once as data. The server enforces it in tRPC middleware
// (workspaceProcedure(action)); the UI only reads it to hide what a role cannot do.
// docs/permissions.md is rendered from this file by `npm run docs`.
import type { Role } from "@tributary/db";

export const ROLES = ["owner", "admin", "editor", "operator", "viewer"] as const satisfies readonly Role[];

export const ACTIONS = {
  "workspace.read": "See the workspace and its overview",
  "workspace.rename": "Rename the workspace or change its slug",
  "workspace.delete": "Delete the workspace and everything in it",
  "workspace.export": "Export the workspace as an archive: flows, versions, runs, audit log, members",
  "members.read": "See the members and their roles",
  "members.manage": "Invite members, change roles, remove members, revoke invites",
  "audit.read": "Read the audit log",
  "settings.manage":
    "Change workspace settings: allowed outbound hosts, two-factor requirement; export and import workspace bundles",
  "flows.read": "See flows, their drafts and versions",
  "flows.edit": "Create, edit, import, duplicate and delete flows",
  "flows.publish": "Publish a flow's draft as a new version, restore an old version",
  "flows.operate": "Pause and activate flows",
  "runs.read": "See runs, their steps, messages and logs, and flows' dead letters",
  "runs.start": "Start runs by hand and test runs from the builder",
  "runs.manage": "Cancel runs, re-run them, re-run from a failed step, replay and discard dead letters",
  "connections.read": "See connections (never their secrets)",
  "connections.manage": "Create, change, test and delete connections",
  "secrets.read": "See the names of secrets (never their values)",
  "secrets.manage": "Set and delete secrets",
  "security.read": "See security rules (never their secrets), to attach them to webhooks",
  "security.manage": "Create, change, rotate and delete security rules",
  "apikeys.manage": "Create, see and revoke the workspace's API keys",
  "alerts.read": "See alert rules and the alerts they sent",
  "alerts.manage": "Create, change, test and delete alert rules (email, Slack, webhook, start a flow)",
  "sso.manage": "Set up single sign-on (identity provider, allowed domains, groups to roles) and require it",
} as const;

export type Action = keyof typeof ACTIONS;

const VIEWER: readonly Action[] = [
  "workspace.read",
  "members.read",
  "flows.read",
  "runs.read",
  "connections.read",
  "alerts.read",
];
const OPERATOR: readonly Action[] = [...VIEWER, "flows.operate", "runs.start", "runs.manage", "secrets.read"];
const EDITOR: readonly Action[] = [
  ...OPERATOR,
  "flows.edit",
  "flows.publish",
  "connections.manage",
  "secrets.manage",
  "security.read",
  "alerts.manage",
];
const ADMIN: readonly Action[] = [
  ...EDITOR,
  "workspace.rename",
  "members.manage",
  "audit.read",
  "settings.manage",
  "security.manage",
  "apikeys.manage",
];

export const PERMISSIONS: Record<Role, readonly Action[]> = {
  owner: [...ADMIN, "workspace.delete", "workspace.export", "sso.manage"],
  admin: ADMIN,
  editor: EDITOR,
  operator: OPERATOR,
  viewer: VIEWER,
};

export function can(role: Role, action: Action): boolean {
  return PERMISSIONS[role].includes(action);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
