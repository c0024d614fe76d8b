// Renders the permission matrix as the Markdown of docs/permissions.md, so the document cannot drift from
// the code that enforces it (a test compares the two; `npm run docs` rewrites the file).
import { ACTIONS, type Action, can, ROLES } from "./permission-matrix.ts";

export function renderPermissionsDoc(): string {
  const header = `| Action | What it allows | ${ROLES.join(" | ")} |`;
  const rule = `|---|---|${ROLES.map(() => ":-:").join("|")}|`;
  const rows = (Object.keys(ACTIONS) as Action[]).map(
    (action) =>
      `| \`${action}\` | ${ACTIONS[action]} | ${ROLES.map((role) => (can(role, action) ? "✓" : "")).join(" | ")} |`,
  );
  return [
    "# Permissions",
    "",
    "<!-- Generated from packages/core/src/permissions/permission-matrix.ts by `npm run docs`. Do not edit. -->",
    "",
    "What each role may do in a workspace. The server enforces this matrix on every tRPC call",
    "(`workspaceProcedure(action)`); the UI only hides what a role cannot do.",
    "",
    header,
    rule,
    ...rows,
    "",
    "Beyond the matrix:",
    "",
    "- A member may grant roles and manage members only at or below their own role; only owners grant,",
    "  change or remove the owner role.",
    "- A workspace always keeps at least one owner: the last owner cannot leave, be removed or be demoted.",
    "  A workspace whose last member is deleted is deleted with everything it owns.",
    "- Any member may leave a workspace.",
    "- A demo session (not signed up yet) owns its demo workspace but cannot create or join other workspaces",
    "  or invite anyone until it signs up.",
    "",
  ].join("\n");
}
