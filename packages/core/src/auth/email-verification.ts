// Proving an address: a sign-up, and a change of address, mail a link that works once, for a day. Until the
// address is verified an account uses its own workspaces but cannot accept invitations nor create API keys
// (invitations to an address must reach the person who reads its mail). A new address takes effect only once
// its link is opened. Installations without mail turn this off (EMAIL_VERIFICATION=off, or no SMTP_URL).
import { createHash } from "node:crypto";
import type { Db } from "@tributary/db";
import { Prisma } from "@tributary/db";
import type { Redis } from "ioredis";
import { z } from "zod";
import { AppError } from "../errors/app-error.ts";
import { actionMail } from "../mail/action-mail.ts";
import type { Mailer } from "../mail/mailer.ts";
import { consumeAccountToken, issueAccountToken, peekAccountToken } from "./account-token.ts";
import { emailSchema } from "./email.ts";
import { verifyPassword } from "./password-hash.ts";
import { assertWithinLimit } from "./rate-limit.ts";

export const VERIFY_LINK_TTL_SECONDS = 24 * 60 * 60;

/** Verification mails per account and hour (sign-up's first one included): a lost mail or two, not a flood. */
export const VERIFICATION_MAILS_PER_HOUR = 3;

/** How an installation treats addresses: verified by a mailed link, or taken as typed (no mail). */
export type EmailVerification = { required: boolean; mailer: Mailer | null; appUrl: string };

export const changeEmailInput = z.object({ newEmail: emailSchema, currentPassword: z.string() });
export const verifyEmailInput = z.object({ token: z.string().max(100) });

const INVALID_LINK =
  "This verification link is not valid any more: it was used, replaced or has expired. Send a new one from your account page.";

const latestKey = (userId: string) => `auth:verify-latest:${userId}`;
const fingerprint = (token: string) => createHash("sha256").update(token).digest("base64url");

async function mailVerificationLink({
  redis,
  verification,
  user,
  email,
}: {
  redis: Redis;
  verification: EmailVerification;
  user: { id: string; sessionVersion: number };
  email: string;
}): Promise<void> {
  if (!verification.mailer) return;
  await assertWithinLimit({
    redis,
    key: `auth:verify-mails:${user.id}`,
    max: VERIFICATION_MAILS_PER_HOUR,
    windowSeconds: 60 * 60,
    message: "We sent several verification mails in the last hour. Check your spam folder, or try again later.",
  });
  const token = await issueAccountToken({
    redis,
    purpose: "verify",
    payload: { userId: user.id, sessionVersion: user.sessionVersion, email },
    ttlSeconds: VERIFY_LINK_TTL_SECONDS,
  });
  // Only the newest link counts: an older one (say, for the address before a change) must not bring it back.
  await redis.set(latestKey(user.id), fingerprint(token), "EX", VERIFY_LINK_TTL_SECONDS);
  const link = `${verification.appUrl.replace(/\/$/, "")}/verify-email?token=${token}`;
  await verification.mailer.send(
    actionMail({
      to: email,
      subject: "Verify your email address",
      lines: [`Confirm that ${email} is your address with this link.`],
      action: "Verify email address",
      link,
      footer: `The link works once, for ${VERIFY_LINK_TTL_SECONDS / 3600} hours. If you did not sign up or change your address, ignore this mail.`,
    }),
  );
}

/** After sign-up: mails the link when verification is on, and marks the address verified when it is off. */
export async function startEmailVerification({
  db,
  redis,
  verification,
  userId,
}: {
  db: Db;
  redis: Redis;
  verification: EmailVerification;
  userId: string;
}): Promise<void> {
  const user = await db.user.findUniqueOrThrow({
    where: { id: userId },
    select: { id: true, email: true, sessionVersion: true },
  });
  if (!verification.required) {
    await db.user.update({ where: { id: userId }, data: { emailVerifiedAt: new Date() } });
    return;
  }
  await mailVerificationLink({ redis, verification, user, email: user.email });
}

export type VerificationStatus = { required: boolean; verified: boolean; email: string };

export async function verificationStatus({
  db,
  verification,
  userId,
}: {
  db: Db;
  verification: EmailVerification;
  userId: string;
}): Promise<VerificationStatus> {
  const user = await db.user.findUniqueOrThrow({
    where: { id: userId },
    select: { email: true, emailVerifiedAt: true },
  });
  return { required: verification.required, verified: user.emailVerifiedAt !== null, email: user.email };
}

export async function resendVerification({
  db,
  redis,
  verification,
  userId,
}: {
  db: Db;
  redis: Redis;
  verification: EmailVerification;
  userId: string;
}): Promise<{ email: string }> {
  const user = await db.user.findUniqueOrThrow({
    where: { id: userId },
    select: { id: true, email: true, sessionVersion: true, emailVerifiedAt: true },
  });
  if (user.emailVerifiedAt) throw new AppError("CONFLICT", `${user.email} is already verified.`);
  if (!verification.required || !verification.mailer) {
    throw new AppError("PRECONDITION_FAILED", "This installation does not send verification mails.");
  }
  await mailVerificationLink({ redis, verification, user, email: user.email });
  return { email: user.email };
}

/** Throws FORBIDDEN, saying what to do, while verification is on and the account's address is not verified. */
export async function assertEmailVerified({
  db,
  verification,
  userId,
  doing,
}: {
  db: Db;
  verification: EmailVerification;
  userId: string;
  doing: string;
}): Promise<void> {
  if (!verification.required) return;
  const user = await db.user.findUnique({ where: { id: userId }, select: { email: true, emailVerifiedAt: true } });
  if (user && !user.emailVerifiedAt) {
    throw new AppError(
      "FORBIDDEN",
      `Verify your email address to ${doing}: open the link we mailed to ${user.email}, or send a new one from your account page.`,
      { reason: "email_not_verified" },
    );
  }
}

/**
 * Asks for a new address (the current password proves it is the account's owner). With verification on,
 * the new address gets a link and the account keeps its old one until it is opened; with it off, the
 * change is immediate.
 */
export async function requestEmailChange({
  db,
  redis,
  verification,
  userId,
  newEmail,
  currentPassword,
}: {
  db: Db;
  redis: Redis;
  verification: EmailVerification;
  userId: string;
} & z.output<typeof changeEmailInput>): Promise<{ email: string; pending: boolean }> {
  const user = await db.user.findUniqueOrThrow({
    where: { id: userId },
    select: { id: true, email: true, passwordHash: true, sessionVersion: true },
  });
  if (!(await verifyPassword({ hash: user.passwordHash, password: currentPassword }))) {
    throw new AppError("BAD_REQUEST", "The current password is not correct.", { field: "currentPassword" });
  }
  if (newEmail === user.email) {
    throw new AppError("BAD_REQUEST", `${newEmail} is already your address.`, { field: "newEmail" });
  }
  await assertAddressFree({ db, email: newEmail });
  if (!verification.required || !verification.mailer) {
    await setAddress({ db, userId, email: newEmail });
    return { email: newEmail, pending: false };
  }
  await mailVerificationLink({ redis, verification, user, email: newEmail });
  return { email: newEmail, pending: true };
}

/**
 * Opens a mailed link: verifies the account's address, or makes a requested new address the account's
 * (verified). Works without being signed in, as people open mail on other devices.
 */
export async function verifyEmail({
  db,
  redis,
  token,
}: { db: Db; redis: Redis } & z.output<typeof verifyEmailInput>): Promise<{ email: string }> {
  const pending = await peekAccountToken({ redis, purpose: "verify", token });
  if (!pending || (await redis.get(latestKey(pending.userId))) !== fingerprint(token))
    throw new AppError("NOT_FOUND", INVALID_LINK);
  const user = await db.user.findUnique({ where: { id: pending.userId }, select: { email: true } });
  if (!user) throw new AppError("NOT_FOUND", INVALID_LINK);
  if (pending.email !== user.email) await assertAddressFree({ db, email: pending.email });
  const used = await consumeAccountToken({ redis, purpose: "verify", token });
  if (!used) throw new AppError("NOT_FOUND", INVALID_LINK);
  await setAddress({ db, userId: used.userId, email: used.email });
  return { email: used.email };
}

async function assertAddressFree({ db, email }: { db: Db; email: string }): Promise<void> {
  if (await db.user.findUnique({ where: { email }, select: { id: true } })) {
    throw new AppError("CONFLICT", `Another account uses ${email}.`, { field: "newEmail" });
  }
}

async function setAddress({ db, userId, email }: { db: Db; userId: string; email: string }): Promise<void> {
  try {
    await db.user.update({ where: { id: userId }, data: { email, emailVerifiedAt: new Date() } });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("CONFLICT", `Another account uses ${email}.`, { field: "newEmail" });
    }
    throw error;
  }
}
