import { allowedHostEntryProblem } from "@tributary/connectors";
import { type Db, scoped } from "@tributary/db";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { AppError } from "../errors/app-error.ts";

const allowedHost = z
  .string()
  .trim()
  .max(255)
  .superRefine((entry, context) => {
    const problem = allowedHostEntryProblem(entry);
    if (problem) context.addIssue({ code: "custom", message: problem });
  });

/** A workspace's allowed hosts as typed, each checked, duplicates dropped. */
export const allowedHostsInput = z
  .array(allowedHost)
  .max(100, "At most 100 allowed hosts; use CIDR ranges or *.domain patterns to cover more.")
  .transform((hosts) => [...new Set(hosts)]);

export const workspaceSettingsInput = z.object({
  /** Hosts outbound calls may reach even when they resolve to private addresses. */
  allowedHosts: allowedHostsInput.optional(),
  /** Members must turn on two-factor sign-in before they can use the workspace. */
  requireTwoFactor: z.boolean().optional(),
});

export type WorkspaceSettings = { allowedHosts: string[]; requireTwoFactor: boolean };

const SETTINGS = { allowedHosts: true, requireTwoFactor: true } as const;

export async function getWorkspaceSettings({
  db,
  workspaceId,
}: {
  db: Db;
  workspaceId: string;
}): Promise<WorkspaceSettings> {
  return scoped(db, { workspaceId }, (tx) =>
    tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: SETTINGS }),
  );
}

export async function updateWorkspaceSettings({
  db,
  workspaceId,
  actor,
  ...changes
}: { db: Db; workspaceId: string; actor: Actor } & z.output<
  typeof workspaceSettingsInput
>): Promise<WorkspaceSettings> {
  return scoped(db, { workspaceId }, async (tx) => {
    if (changes.requireTwoFactor) {
      // Whoever requires it has it, or the change would shut them out of the workspace they are changing.
      const self = await tx.user.findUniqueOrThrow({ where: { id: actor.userId }, select: { totpEnabledAt: true } });
      if (!self.totpEnabledAt) {
        throw new AppError(
          "PRECONDITION_FAILED",
          "Turn on two-factor sign-in for your own account before requiring it of the workspace.",
        );
      }
    }
    const before = await tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { allowedHosts: true } });
    const settings = await tx.workspace.update({
      where: { id: workspaceId },
      data: changes,
      select: SETTINGS,
    });
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "settings.changed",
      details: auditDetails(before.allowedHosts, changes),
    });
    return settings;
  });
}

/** What changed, with the allowed hosts added and removed named, so the audit log reads without a diff. */
function auditDetails(before: string[], changes: z.output<typeof workspaceSettingsInput>) {
  if (!changes.allowedHosts) return changes;
  const after = changes.allowedHosts;
  return {
    ...changes,
    allowedHostsAdded: after.filter((host) => !before.includes(host)),
    allowedHostsRemoved: before.filter((host) => !after.includes(host)),
  };
}
