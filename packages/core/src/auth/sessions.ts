// Sessions are JWTs (next-auth's credentials provider), so revocation is ours: a per-user session version
// revokes every session at once (password change, sign-out everywhere), and a Redis deny-list of session
// ids revokes one (sign-out). Both are checked on every request by currentUser().
import type { Db } from "@tributary/db";
import type { Redis } from "ioredis";

export type SessionClaims = {
  userId: string;
  sessionVersion: number;
  sessionId: string;
  expiresAt: number;
  /** Set when the session was made by a workspace's single sign-on: that workspace (and only it) takes it. */
  ssoWorkspaceId?: string;
};

export type SessionUser = { id: string; email: string; name: string | null };

const revokedKey = (sessionId: string) => `auth:revoked:${sessionId}`;

export async function revokeSession({ redis, claims }: { redis: Redis; claims: SessionClaims }): Promise<void> {
  const ttlSeconds = Math.ceil((claims.expiresAt - Date.now()) / 1000);
  if (ttlSeconds > 0) await redis.set(revokedKey(claims.sessionId), "1", "EX", ttlSeconds);
}

export async function revokeAllSessions({ db, userId }: { db: Db; userId: string }): Promise<void> {
  await db.user.update({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
}

/** The user a session belongs to, or null when it was revoked or the user is gone. */
export async function currentUser({
  db,
  redis,
  claims,
}: {
  db: Db;
  redis: Redis;
  claims: SessionClaims;
}): Promise<SessionUser | null> {
  if (claims.expiresAt <= Date.now()) return null;
  const [user, revoked] = await Promise.all([
    db.user.findUnique({
      where: { id: claims.userId },
      select: { id: true, email: true, name: true, sessionVersion: true },
    }),
    redis.exists(revokedKey(claims.sessionId)),
  ]);
  if (!user || revoked || user.sessionVersion !== claims.sessionVersion) return null;
  return { id: user.id, email: user.email, name: user.name };
}
