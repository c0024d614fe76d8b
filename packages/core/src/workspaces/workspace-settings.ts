import { type Db, scoped } from "@tributary/db";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { AppError, notFound } from "../errors/app-error.ts";

const hostPattern = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(/^(\*\.)?[a-zA-Z0-9.-]+$|^[0-9a-fA-F:.]+(\/\d{1,3})?$/, {
    message: "Use a host name (api.example.com, *.example.com), an IP address or a CIDR range (10.0.0.0/8).",
  });

export const workspaceSettingsInput = z.object({
  /** Hosts outbound calls may reach even when they resolve to private addresses. */
  allowedHosts: z.array(hostPattern).max(100).optional(),
  /** A flow started whenever a run of this workspace fails (null: none). */
  errorFlowId: z.uuid().nullable().optional(),
  /** Members must turn on two-factor sign-in before they can use the workspace. */
  requireTwoFactor: z.boolean().optional(),
});

export type WorkspaceSettings = { allowedHosts: string[]; errorFlowId: string | null; requireTwoFactor: boolean };

const SETTINGS = { allowedHosts: true, errorFlowId: true, requireTwoFactor: true } as const;

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
    if (changes.errorFlowId) {
      const flow = await tx.flow.findFirst({ where: { id: changes.errorFlowId, workspaceId }, select: { id: true } });
      if (!flow) throw notFound("That error flow");
    }
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
    const settings = await tx.workspace.update({
      where: { id: workspaceId },
      data: changes,
      select: SETTINGS,
    });
    await recordAudit({ tx, workspaceId, actor, action: "settings.changed", details: changes });
    return settings;
  });
}
