import type { Db, SecretBox } from "@tributary/db";
import { scoped } from "@tributary/db";
import type { Redis } from "ioredis";
import { recordAudit } from "../audit/record-audit.ts";
import { AppError } from "../errors/app-error.ts";
import { assertPasswordSignInUseful } from "../sso/password-sign-in-policy.ts";
import { verifyDeviceToken } from "./device-token.ts";
import { normalizeEmail } from "./email.ts";
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from "./password-hash.ts";
import { assertSignInAllowed, recordSignInFailure, recordSignInSuccess } from "./sign-in-limits.ts";
import { SECOND_FACTOR_NEEDED, WRONG_SECOND_FACTOR } from "./sign-in-messages.ts";
import { checkSecondFactor } from "./two-factor.ts";

export const WRONG_CREDENTIALS = "Email or password is incorrect.";

export type VerifiedUser = { id: string; email: string; name: string | null; sessionVersion: number };

/** The browser's device token (its DEVICE_COOKIE, if any) and the secret tokens are signed with. */
export type SignInDevice = { token: string | null | undefined; secret: string };

type SignInAttempt = { redis: Redis; email: string; ip: string; device: SignInDevice };

function attemptOf({ redis, email: typedEmail, ip, device }: SignInAttempt) {
  const email = normalizeEmail(typedEmail);
  return { redis, email, ip, deviceId: verifyDeviceToken({ secret: device.secret, email, token: device.token }) };
}

/**
 * Throws TOO_MANY_REQUESTS when this attempt would be refused by the limits, before any password is looked
 * at: lets the web answer 429 with Retry-After instead of a failed sign-in.
 */
export async function assertSignInAttemptAllowed(attempt: SignInAttempt): Promise<void> {
  await assertSignInAllowed(attemptOf(attempt));
}

/**
 * Checks an email and password for sign-in. An unknown email and a wrong password get the same answer in
 * the same time; repeated failures are limited (see sign-in-limits.ts), except for a browser with this
 * account's device token (device-token.ts). An account with two-factor sign-in also needs `code` (TOTP or a
 * recovery code): without one the answer is SECOND_FACTOR_NEEDED, and a wrong one counts as a failed attempt,
 * so codes are limited like passwords. A member whose every workspace requires single sign-on (and who owns
 * none) is refused with a pointer to it (details.ssoRequired). Records the sign-in in the audit log of every
 * workspace the user belongs to.
 */
export async function verifyCredentials({
  db,
  redis,
  email: typedEmail,
  secretBox,
  password,
  code,
  ip,
  device,
}: SignInAttempt & { db: Db; secretBox: SecretBox; password: string; code?: string }): Promise<VerifiedUser> {
  const attempt = attemptOf({ redis, email: typedEmail, ip, device });
  const { email } = attempt;
  await assertSignInAllowed(attempt);
  const user = await db.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, passwordHash: true, sessionVersion: true, totpEnabledAt: true },
  });
  const ok = await verifyPassword({ hash: user?.passwordHash ?? (await dummyPasswordHash()), password });
  if (!user || !ok) {
    await recordSignInFailure(attempt);
    throw new AppError("UNAUTHORIZED", WRONG_CREDENTIALS);
  }
  if (user.totpEnabledAt) {
    // No success is recorded before the second factor: a known password must not reset the failure count.
    if (!code?.trim()) throw new AppError("UNAUTHORIZED", SECOND_FACTOR_NEEDED, { secondFactor: true });
    if (!(await checkSecondFactor({ db, secretBox, userId: user.id, code }))) {
      await recordSignInFailure(attempt);
      throw new AppError("UNAUTHORIZED", WRONG_SECOND_FACTOR, { secondFactor: true });
    }
  }
  await assertPasswordSignInUseful({ db, userId: user.id });
  await recordSignInSuccess(attempt);
  if (needsRehash(user.passwordHash)) await rehash({ db, userId: user.id, old: user.passwordHash, password });
  await auditSignIn({ db, user, ip });
  return { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion };
}

/**
 * Only now is the password at hand: the weak hash is replaced by one at today's cost. Sessions stay valid (the
 * password is the same), and a password changed meanwhile is never overwritten.
 */
async function rehash({ db, userId, old, password }: { db: Db; userId: string; old: string; password: string }) {
  await db.user.updateMany({
    where: { id: userId, passwordHash: old },
    data: { passwordHash: await hashPassword(password) },
  });
}

async function auditSignIn({ db, user, ip }: { db: Db; user: { id: string; email: string }; ip: string }) {
  const memberships = await scoped(db, { userId: user.id }, (tx) =>
    tx.membership.findMany({ where: { userId: user.id }, select: { workspaceId: true } }),
  );
  const actor = { userId: user.id, email: user.email, ip };
  for (const { workspaceId } of memberships) {
    await scoped(db, { workspaceId }, (tx) => recordAudit({ tx, workspaceId, actor, action: "user.signed_in" }));
  }
}
