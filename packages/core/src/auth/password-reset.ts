// "Forgot password?": a mailed, single-use link that works for an hour. Asking answers the same, in about the
// same time, whether or not an account has the address (the mail goes out after the answer), so the form
// tells nobody who has an account. Setting the new password signs out every session of the user and is
// recorded in the audit log of each of their workspaces.
import { type Db, scoped } from "@tributary/db";
import type { Redis } from "ioredis";
import { z } from "zod";
import { recordAudit } from "../audit/record-audit.ts";
import { AppError } from "../errors/app-error.ts";
import { actionMail } from "../mail/action-mail.ts";
import type { Mailer } from "../mail/mailer.ts";
import { consumeAccountToken, issueAccountToken, peekAccountToken } from "./account-token.ts";
import { emailSchema } from "./email.ts";
import { hashPassword } from "./password-hash.ts";
import { assertStrongPassword } from "./password-policy.ts";
import { assertWithinLimit } from "./rate-limit.ts";
import { accountKey } from "./sign-in-limits.ts";

export const RESET_LINK_TTL_SECONDS = 60 * 60;

export const PASSWORD_RESET_LIMITS = {
  /** Per typed address (existing or not): enough for a lost mail or two, too few to flood an inbox. */
  address: { max: 3, windowSeconds: 60 * 60 },
  /** Per network: a team behind one NAT, not a sweep over addresses. */
  ip: { max: 20, windowSeconds: 60 * 60 },
} as const;

export const requestPasswordResetInput = z.object({ email: emailSchema });
export const resetPasswordInput = z.object({ token: z.string().max(100), password: z.string() });

const INVALID_LINK = "This reset link is not valid any more: it was used, replaced or has expired. Ask for a new one.";

/** The link for a user, mailed by the form or printed for an operator (`npm run account:reset-link`). */
export async function issuePasswordResetLink({
  db,
  redis,
  appUrl,
  email,
}: {
  db: Db;
  redis: Redis;
  appUrl: string;
  email: string;
}): Promise<string | null> {
  const user = await db.user.findUnique({ where: { email }, select: { id: true, sessionVersion: true, isDemo: true } });
  if (!user || user.isDemo) return null;
  const token = await issueAccountToken({
    redis,
    purpose: "reset",
    payload: { userId: user.id, sessionVersion: user.sessionVersion, email },
    ttlSeconds: RESET_LINK_TTL_SECONDS,
  });
  return `${appUrl.replace(/\/$/, "")}/reset-password?token=${token}`;
}

export function passwordResetMail({ to, link }: { to: string; link: string }) {
  return actionMail({
    to,
    subject: "Reset your password",
    lines: ["Someone asked to reset the password of your account. Choose a new password with this link."],
    action: "Choose a new password",
    link,
    footer: `The link works once, for ${RESET_LINK_TTL_SECONDS / 60} minutes. If you did not ask, ignore this mail: your password stays as it is.`,
  });
}

/** Answers nothing about the address; the caller shows the same message either way. */
export async function requestPasswordReset({
  db,
  redis,
  mailer,
  appUrl,
  ip,
  email,
  onMailError = (error) => console.error("password reset mail failed:", error),
}: {
  db: Db;
  redis: Redis;
  mailer: Mailer | null;
  appUrl: string;
  ip: string;
  onMailError?: (error: unknown) => void;
} & z.output<typeof requestPasswordResetInput>): Promise<void> {
  const tooMany = "Too many reset requests. Try again later, or ask your administrator for a reset link.";
  await assertWithinLimit({ redis, key: `auth:reset:ip:${ip}`, ...PASSWORD_RESET_LIMITS.ip, message: tooMany });
  await assertWithinLimit({
    redis,
    key: `auth:reset:address:${accountKey(email)}`,
    ...PASSWORD_RESET_LIMITS.address,
    message: tooMany,
  });
  const link = await issuePasswordResetLink({ db, redis, appUrl, email });
  // Not awaited: talking to the mail server would make known addresses measurably slower to answer.
  if (link && mailer) void mailer.send(passwordResetMail({ to: email, link })).catch(onMailError);
}

/** Whether the reset page should show the form or say the link is dead. */
export async function checkPasswordResetLink({ redis, token }: { redis: Redis; token: string }): Promise<boolean> {
  return (await peekAccountToken({ redis, purpose: "reset", token })) !== null;
}

export async function resetPassword({
  db,
  redis,
  ip,
  token,
  password,
}: { db: Db; redis: Redis; ip: string } & z.output<typeof resetPasswordInput>): Promise<void> {
  const pending = await peekAccountToken({ redis, purpose: "reset", token });
  if (!pending) throw new AppError("NOT_FOUND", INVALID_LINK);
  // A weak password is refused before the link is used up, so the person can try another one.
  await assertStrongPassword({ password, email: pending.email });
  const used = await consumeAccountToken({ redis, purpose: "reset", token });
  if (!used) throw new AppError("NOT_FOUND", INVALID_LINK);
  const passwordHash = await hashPassword(password);
  const { count } = await db.user.updateMany({
    // A link from before another reset or a password change is void: the session version moved on.
    where: { id: used.userId, sessionVersion: used.sessionVersion, email: used.email },
    data: { passwordHash, sessionVersion: { increment: 1 }, emailVerifiedAt: new Date() },
  });
  if (count !== 1) throw new AppError("NOT_FOUND", INVALID_LINK);
  const actor = { userId: used.userId, email: used.email, ip };
  const workspaces = await scoped(db, { userId: used.userId }, (tx) =>
    tx.membership.findMany({ where: { userId: used.userId }, select: { workspaceId: true } }),
  );
  for (const { workspaceId } of workspaces) {
    await scoped(db, { workspaceId }, (tx) =>
      recordAudit({ tx, workspaceId, actor, action: "user.password_reset", details: { email: used.email } }),
    );
  }
}
