import type { Db } from "@tributary/db";
import { scoped } from "@tributary/db";
import type { Redis } from "ioredis";
import { recordAudit } from "../audit/record-audit.ts";
import { AppError } from "../errors/app-error.ts";
import { normalizeEmail } from "./email.ts";
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from "./password-hash.ts";
import { assertSignInAllowed, recordSignInFailure, recordSignInSuccess } from "./sign-in-limits.ts";

export const WRONG_CREDENTIALS = "Email or password is incorrect.";

export type VerifiedUser = { id: string; email: string; name: string | null; sessionVersion: number };

/**
 * Checks an email and password for sign-in. An unknown email and a wrong password get the same answer in
 * the same time; repeated failures are limited (see sign-in-limits.ts). Records the sign-in in the audit
 * log of every workspace the user belongs to.
 */
export async function verifyCredentials({
  db,
  redis,
  email: typedEmail,
  password,
  ip,
}: {
  db: Db;
  redis: Redis;
  email: string;
  password: string;
  ip: string;
}): Promise<VerifiedUser> {
  const email = normalizeEmail(typedEmail);
  await assertSignInAllowed({ redis, email, ip });
  const user = await db.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, passwordHash: true, sessionVersion: true },
  });
  const ok = await verifyPassword({ hash: user?.passwordHash ?? (await dummyPasswordHash()), password });
  if (!user || !ok) {
    await recordSignInFailure({ redis, email, ip });
    throw new AppError("UNAUTHORIZED", WRONG_CREDENTIALS);
  }
  await recordSignInSuccess({ redis, email, ip });
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
