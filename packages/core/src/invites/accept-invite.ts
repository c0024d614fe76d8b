import { type Db, type Role, scoped, type Tx } from "@tributary/db";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { assertEmailVerified, type EmailVerification } from "../auth/email-verification.ts";
import { assertSignedUp } from "../demo/demo-plan.ts";
import { AppError } from "../errors/app-error.ts";
import { parseInviteToken } from "./invite-token.ts";

export type InviteStatus = "valid" | "expired" | "used" | "revoked";

export type InvitePreview = {
  workspaceName: string;
  workspaceSlug: string;
  email: string;
  role: Role;
  status: InviteStatus;
};

const INVALID_LINK = "This invite link is not valid. Ask for a new invite.";

async function findInvite({ tx, token }: { tx: Tx; token: string }) {
  const parsed = parseInviteToken(token);
  if (!parsed) return null;
  return tx.invite.findUnique({
    where: { tokenHash: parsed.hash },
    select: {
      id: true,
      workspaceId: true,
      email: true,
      role: true,
      expiresAt: true,
      acceptedAt: true,
      revokedAt: true,
      mailedAt: true,
      workspace: { select: { name: true, slug: true } },
    },
  });
}

function statusOf(invite: { expiresAt: Date; acceptedAt: Date | null; revokedAt: Date | null }): InviteStatus {
  if (invite.acceptedAt) return "used";
  if (invite.revokedAt) return "revoked";
  if (invite.expiresAt.getTime() <= Date.now()) return "expired";
  return "valid";
}

/** What the invite page shows before the visitor accepts (or signs up first). */
export async function previewInvite({ db, token }: { db: Db; token: string }): Promise<InvitePreview> {
  const parsed = parseInviteToken(token);
  if (!parsed) throw new AppError("NOT_FOUND", INVALID_LINK);
  const invite = await scoped(db, { workspaceId: parsed.workspaceId }, (tx) => findInvite({ tx, token }));
  if (!invite) throw new AppError("NOT_FOUND", INVALID_LINK);
  return {
    workspaceName: invite.workspace.name,
    workspaceSlug: invite.workspace.slug,
    email: invite.email,
    role: invite.role,
    status: statusOf(invite),
  };
}

const STATUS_MESSAGES: Record<Exclude<InviteStatus, "valid">, string> = {
  used: "This invite link was already used. Ask for a new invite if you still need one.",
  revoked: "This invite was withdrawn. Ask for a new invite.",
  expired: "This invite link has expired. Ask for a new invite.",
};

/**
 * Makes the signed-in user a member. The link works once, for the invited email only, until it expires. An
 * account whose address is not verified may accept only a link that went only by mail, which verifies it.
 */
export async function acceptInvite({
  db,
  token,
  actor,
  verification,
}: {
  db: Db;
  token: string;
  actor: Actor;
  verification: EmailVerification;
}): Promise<{ workspaceSlug: string; role: Role }> {
  const parsed = parseInviteToken(token);
  if (!parsed) throw new AppError("NOT_FOUND", INVALID_LINK);
  await assertSignedUp({ db, userId: actor.userId, doing: "join other workspaces" });
  const { workspaceId } = parsed;
  const accepted = await scoped(db, { workspaceId, userId: actor.userId }, async (tx) => {
    const invite = await findInvite({ tx, token });
    if (!invite) throw new AppError("NOT_FOUND", INVALID_LINK);
    const status = statusOf(invite);
    if (status !== "valid") throw new AppError("PRECONDITION_FAILED", STATUS_MESSAGES[status]);
    if (invite.email !== actor.email) {
      throw new AppError(
        "FORBIDDEN",
        `This invite is for ${invite.email}, but you are signed in as ${actor.email}. Sign in with the invited email.`,
      );
    }
    if (!invite.mailedAt) {
      await assertEmailVerified({ db, verification, userId: actor.userId, doing: "accept invitations" });
    }
    // Single use even under concurrency: only one request can flip accepted_at from null.
    const claimed = await tx.invite.updateMany({
      where: { id: invite.id, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
      data: { acceptedAt: new Date(), acceptedById: actor.userId },
    });
    if (claimed.count !== 1) throw new AppError("PRECONDITION_FAILED", STATUS_MESSAGES.used);
    const existing = await tx.membership.findUnique({
      where: { workspaceId_userId: { workspaceId, userId: actor.userId } },
      select: { role: true },
    });
    if (existing) {
      throw new AppError("CONFLICT", `You are already a member of ${invite.workspace.name} (as ${existing.role}).`);
    }
    await tx.membership.create({ data: { workspaceId, userId: actor.userId, role: invite.role } });
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "member.joined",
      target: { type: "user", id: actor.userId },
      details: { email: actor.email, role: invite.role, inviteId: invite.id },
    });
    return { workspaceSlug: invite.workspace.slug, role: invite.role, mailed: invite.mailedAt !== null };
  });
  if (accepted.mailed) {
    await db.user.updateMany({
      where: { id: actor.userId, email: actor.email, emailVerifiedAt: null },
      data: { emailVerifiedAt: new Date() },
    });
  }
  return { workspaceSlug: accepted.workspaceSlug, role: accepted.role };
}
