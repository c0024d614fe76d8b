import { type Db, type Role, scoped } from "@tributary/db";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { emailSchema } from "../auth/email.ts";
import { assertSignedUp } from "../demo/demo-plan.ts";
import { AppError } from "../errors/app-error.ts";
import { actionMail } from "../mail/action-mail.ts";
import type { Mailer } from "../mail/mailer.ts";
import { ROLES } from "../permissions/permission-matrix.ts";
import { mayManage } from "../permissions/roles.ts";
import { newInviteToken } from "./invite-token.ts";

export const INVITE_TTL_DAYS = 7;

export const createInviteInput = z.object({ email: emailSchema, role: z.enum(ROLES) });

/** `link` is null when the invite was mailed: only the invited person sees it, so accepting proves their address. */
export type CreatedInvite = {
  id: string;
  email: string;
  role: Role;
  expiresAt: Date;
  link: string | null;
  emailed: boolean;
};

/**
 * Invites `email` as `role` with a single-use link that expires. With a mailer the link is mailed and not
 * returned; without one (or when the mail fails) it is returned so the UI can show it. A new invite to the
 * same email replaces the old.
 */
export async function createInvite({
  db,
  mailer,
  appUrl,
  workspaceId,
  actor,
  actorRole,
  email,
  role,
}: {
  db: Db;
  mailer: Mailer | null;
  appUrl: string;
  workspaceId: string;
  actor: Actor;
  actorRole: Role;
  email: string;
  role: Role;
}): Promise<CreatedInvite> {
  if (!mayManage({ actorRole, role })) {
    throw new AppError("FORBIDDEN", `As ${actorRole} you cannot invite someone as ${role}; ask an owner.`);
  }
  // An anonymous session must not mail invitations to anyone, nor bring accounts into a workspace deleted in a day.
  await assertSignedUp({ db, userId: actor.userId, doing: "invite people" });
  const token = newInviteToken(workspaceId);
  const expiresAt = new Date(Date.now() + INVITE_TTL_DAYS * 24 * 60 * 60 * 1000);
  const { invite, workspaceName } = await scoped(db, { workspaceId }, async (tx) => {
    const member = await tx.membership.findFirst({ where: { workspaceId, user: { email } }, select: { role: true } });
    if (member) throw new AppError("CONFLICT", `${email} is already a member (as ${member.role}).`, { field: "email" });
    await tx.invite.updateMany({
      where: { workspaceId, email, acceptedAt: null, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    const invite = await tx.invite.create({
      data: { workspaceId, email, role, tokenHash: token.hash, invitedById: actor.userId, expiresAt },
      select: { id: true, email: true, role: true, expiresAt: true },
    });
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "member.invited",
      target: { type: "invite", id: invite.id },
      details: { email, role },
    });
    const { name } = await tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { name: true } });
    return { invite, workspaceName: name };
  });
  const link = `${appUrl.replace(/\/$/, "")}/invite/${token.token}`;
  const emailed = mailer
    ? await mailer
        .send(
          actionMail({
            to: email,
            subject: `${actor.email} invited you to ${workspaceName}`,
            lines: [`${actor.email} invited you to join the workspace "${workspaceName}" as ${role}.`],
            action: "Accept the invitation",
            link,
            footer: `The link works once and expires in ${INVITE_TTL_DAYS} days. If you do not know the sender, ignore this mail.`,
          }),
        )
        .then(() => true)
        .catch(() => false)
    : false;
  if (!emailed) return { ...invite, link, emailed };
  await scoped(db, { workspaceId }, (tx) =>
    tx.invite.update({ where: { id: invite.id }, data: { mailedAt: new Date() } }),
  );
  return { ...invite, link: null, emailed };
}
