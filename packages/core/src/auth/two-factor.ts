// Two-factor sign-in with TOTP (RFC 6238, otplib): enrolment confirmed by a first code, ten single-use recovery
// codes shown once and kept hashed, the second factor checked at sign-in, turning it off with the password.
import { createHash, randomBytes } from "node:crypto";
import { type Db, type SecretBox, scoped } from "@tributary/db";
import type { Redis } from "ioredis";
import { generateSecret, generateURI, verify } from "otplib";
import { z } from "zod";
import { recordAudit } from "../audit/record-audit.ts";
import { AppError } from "../errors/app-error.ts";
import { verifyPassword } from "./password-hash.ts";
import { assertSignInAllowed, recordSignInFailure } from "./sign-in-limits.ts";

const ISSUER = "Tributary";
export const RECOVERY_CODE_COUNT = 10;
/** One period either side: a phone's clock a little off still signs in. */
const EPOCH_TOLERANCE_SECONDS = 30;
const RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

export const confirmTwoFactorInput = z.object({ code: z.string().trim().min(1).max(32) });
export const disableTwoFactorInput = z.object({ password: z.string().min(1) });

/** The secret box's context binds a sealed TOTP secret to its user: it cannot be moved to another row. */
export const totpSecretContext = (userId: string) => `user:${userId}:totp`;

const hashRecoveryCode = (code: string) =>
  createHash("sha256")
    .update(code.toLowerCase().replace(/[^a-z2-7]/g, ""))
    .digest("hex");

/** 10 characters of base32 (50 random bits), shown as xxxxx-xxxxx. */
function newRecoveryCode(): string {
  const chars = [...randomBytes(10)].map((byte) => RECOVERY_ALPHABET[byte % 32]).join("");
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

export type TwoFactorStatus = { enabled: boolean; recoveryCodesLeft: number };

export async function twoFactorStatus({ db, userId }: { db: Db; userId: string }): Promise<TwoFactorStatus> {
  const user = await db.user.findUniqueOrThrow({
    where: { id: userId },
    select: { totpEnabledAt: true, _count: { select: { recoveryCodes: { where: { usedAt: null } } } } },
  });
  return { enabled: user.totpEnabledAt !== null, recoveryCodesLeft: user._count.recoveryCodes };
}

/**
 * A new secret for the authenticator app, sealed and kept pending until confirmed with a code. Starting again
 * replaces a pending secret; an enrolled account must turn two-factor sign-in off first.
 */
export async function startTwoFactor({
  db,
  secretBox,
  userId,
}: {
  db: Db;
  secretBox: SecretBox;
  userId: string;
}): Promise<{ secret: string; uri: string }> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, totpEnabledAt: true } });
  if (user.totpEnabledAt) throw new AppError("CONFLICT", "Two-factor sign-in is already on.");
  const secret = generateSecret();
  await db.user.update({
    where: { id: userId },
    data: { totpSecret: secretBox.seal(secret, totpSecretContext(userId)), totpLastStep: null },
  });
  return { secret, uri: generateURI({ issuer: ISSUER, label: user.email, secret }) };
}

/** Turns two-factor sign-in on with a first code from the app; returns the recovery codes, shown this once. */
export async function confirmTwoFactor({
  db,
  secretBox,
  userId,
  ip,
  code,
}: { db: Db; secretBox: SecretBox; userId: string; ip: string } & z.output<typeof confirmTwoFactorInput>): Promise<{
  recoveryCodes: string[];
}> {
  const user = await db.user.findUniqueOrThrow({
    where: { id: userId },
    select: { email: true, totpSecret: true, totpEnabledAt: true },
  });
  if (user.totpEnabledAt) throw new AppError("CONFLICT", "Two-factor sign-in is already on.");
  if (!user.totpSecret) throw new AppError("PRECONDITION_FAILED", "Start setting up two-factor sign-in first.");
  const secret = secretBox.open(user.totpSecret, totpSecretContext(userId));
  const step = await acceptedTimeStep({ secret, code, afterTimeStep: null });
  if (step === null) {
    throw new AppError("BAD_REQUEST", "That code is not correct. Enter the current code from the app.", {
      field: "code",
    });
  }
  const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.$transaction([
    db.recoveryCode.deleteMany({ where: { userId } }),
    db.recoveryCode.createMany({ data: recoveryCodes.map((c) => ({ userId, codeHash: hashRecoveryCode(c) })) }),
    db.user.update({ where: { id: userId }, data: { totpEnabledAt: new Date(), totpLastStep: step } }),
  ]);
  await auditInEveryWorkspace({ db, userId, actor: { userId, email: user.email, ip }, action: "enabled" });
  return { recoveryCodes };
}

/**
 * Turns two-factor sign-in off; the password proves it is the account's owner at the keyboard. Wrong passwords
 * count against the sign-in limits, so a stolen session cannot guess the password here.
 */
export async function disableTwoFactor({
  db,
  redis,
  userId,
  ip,
  password,
}: { db: Db; redis: Redis; userId: string; ip: string } & z.output<typeof disableTwoFactorInput>): Promise<void> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, passwordHash: true } });
  const attempt = { redis, email: user.email, ip, deviceId: null };
  await assertSignInAllowed(attempt);
  if (!(await verifyPassword({ hash: user.passwordHash, password }))) {
    await recordSignInFailure(attempt);
    throw new AppError("BAD_REQUEST", "The password is not correct.", { field: "password" });
  }
  await db.$transaction([
    db.recoveryCode.deleteMany({ where: { userId } }),
    db.user.update({ where: { id: userId }, data: { totpSecret: null, totpEnabledAt: null, totpLastStep: null } }),
  ]);
  await auditInEveryWorkspace({ db, userId, actor: { userId, email: user.email, ip }, action: "disabled" });
}

/**
 * The second factor at sign-in: a current TOTP code not used before, or an unused recovery code, which is used
 * up by this. Both are claimed with a conditional update, so two requests racing with one code cannot both win.
 */
export async function checkSecondFactor({
  db,
  secretBox,
  userId,
  code,
}: {
  db: Db;
  secretBox: SecretBox;
  userId: string;
  code: string;
}): Promise<boolean> {
  const user = await db.user.findUniqueOrThrow({
    where: { id: userId },
    select: { totpSecret: true, totpLastStep: true },
  });
  if (!user.totpSecret) return false;
  const typed = code.replace(/\s/g, "");
  if (/^\d{6}$/.test(typed)) {
    const secret = secretBox.open(user.totpSecret, totpSecretContext(userId));
    const step = await acceptedTimeStep({ secret, code: typed, afterTimeStep: user.totpLastStep });
    if (step === null) return false;
    const claimed = await db.user.updateMany({
      where: { id: userId, OR: [{ totpLastStep: null }, { totpLastStep: { lt: step } }] },
      data: { totpLastStep: step },
    });
    return claimed.count === 1;
  }
  const used = await db.recoveryCode.updateMany({
    where: { userId, codeHash: hashRecoveryCode(typed), usedAt: null },
    data: { usedAt: new Date() },
  });
  return used.count === 1;
}

/** The time step a valid code belongs to, or null; codes of `afterTimeStep` and earlier are refused (replay). */
async function acceptedTimeStep({
  secret,
  code,
  afterTimeStep,
}: {
  secret: string;
  code: string;
  afterTimeStep: number | null;
}): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const result = await verify({
    secret,
    token: code,
    epochTolerance: EPOCH_TOLERANCE_SECONDS,
    ...(afterTimeStep === null ? {} : { afterTimeStep }),
  });
  // otplib types the answer for TOTP and HOTP alike; only a TOTP result has the time step.
  return result.valid && "timeStep" in result ? result.timeStep : null;
}

async function auditInEveryWorkspace({
  db,
  userId,
  actor,
  action,
}: {
  db: Db;
  userId: string;
  actor: { userId: string; email: string; ip: string };
  action: "enabled" | "disabled";
}) {
  const memberships = await scoped(db, { userId }, (tx) =>
    tx.membership.findMany({ where: { userId }, select: { workspaceId: true } }),
  );
  for (const { workspaceId } of memberships) {
    await scoped(db, { workspaceId }, (tx) =>
      recordAudit({ tx, workspaceId, actor, action: `user.two_factor_${action}` }),
    );
  }
}
