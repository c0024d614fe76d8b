import type { Prisma, Tx } from "@tributary/db";
import type { Actor } from "./actor.ts";

export const AUDIT_ACTIONS = [
  "user.signed_in",
  "user.password_reset",
  "user.account_deleted",
  "user.two_factor_enabled",
  "user.two_factor_disabled",
  "workspace.created",
  "workspace.renamed",
  "workspace.deleted",
  "member.invited",
  "member.invite_revoked",
  "member.joined",
  "member.role_changed",
  "member.removed",
  "member.left",
  "flow.created",
  "flow.renamed",
  "flow.published",
  "flow.status_changed",
  "flow.deleted",
  "flow.version_restored",
  "secret.saved",
  "secret.deleted",
  "connection.saved",
  "connection.deleted",
  "settings.changed",
  "workspace.bundle_imported",
  "security_rule.saved",
  "security_rule.secret_rotated",
  "security_rule.deleted",
  "topic.saved",
  "api_key.created",
  "api_key.revoked",
  "api.call",
  "runs.bulk_rerun",
  "alert_rule.saved",
  "alert_rule.deleted",
  "alert_rule.tested",
  "dead_letters.replayed",
  "dead_letters.discarded",
  "sso.configured",
  "sso.removed",
  "sso.signed_in",
  "sso.refused",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Appends one event to the workspace's audit log, in the caller's transaction so it commits with the change. */
export async function recordAudit({
  tx,
  workspaceId,
  actor,
  action,
  target,
  details = {},
}: {
  tx: Tx;
  workspaceId: string;
  actor: Actor | null;
  action: AuditAction;
  target?: { type: string; id: string };
  details?: Prisma.InputJsonObject;
}): Promise<void> {
  await tx.auditEvent.create({
    data: {
      workspaceId,
      actorId: actor?.userId ?? null,
      actorEmail: actor?.email ?? null,
      ip: actor?.ip ?? null,
      action,
      targetType: target?.type ?? null,
      targetId: target?.id ?? null,
      details,
    },
  });
}
