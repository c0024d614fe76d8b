// Single-use, short-lived tokens for links mailed to a person (password reset, email verification). They live
// in Redis under a hash of the token, so a Redis dump yields no usable links, and expire there on their own.
// Losing Redis loses only pending links: the person asks for a new one.
import { createHash, randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";

export type AccountTokenPurpose = "reset" | "verify";

const payloadSchema = z.object({ userId: z.string(), sessionVersion: z.number().int(), email: z.string() });

/**
 * Who the link was issued to: the user, their session version then (a reset link is void once it moved on:
 * another reset, a password change), and the address it went to.
 */
export type AccountTokenPayload = z.output<typeof payloadSchema>;

const tokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

const keyOf = (purpose: AccountTokenPurpose, token: string) =>
  `auth:token:${purpose}:${createHash("sha256").update(token).digest("base64url")}`;

export async function issueAccountToken({
  redis,
  purpose,
  payload,
  ttlSeconds,
}: {
  redis: Redis;
  purpose: AccountTokenPurpose;
  payload: AccountTokenPayload;
  ttlSeconds: number;
}): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await redis.set(keyOf(purpose, token), JSON.stringify(payload), "EX", ttlSeconds);
  return token;
}

/** What the token stands for, without using it up; null when it is unknown, used or expired. */
export async function peekAccountToken({
  redis,
  purpose,
  token,
}: {
  redis: Redis;
  purpose: AccountTokenPurpose;
  token: string;
}): Promise<AccountTokenPayload | null> {
  if (!tokenSchema.safeParse(token).success) return null;
  return parse(await redis.get(keyOf(purpose, token)));
}

/** Uses the token up: of two concurrent uses only one gets the payload. */
export async function consumeAccountToken({
  redis,
  purpose,
  token,
}: {
  redis: Redis;
  purpose: AccountTokenPurpose;
  token: string;
}): Promise<AccountTokenPayload | null> {
  if (!tokenSchema.safeParse(token).success) return null;
  return parse(await redis.getdel(keyOf(purpose, token)));
}

function parse(stored: string | null): AccountTokenPayload | null {
  if (!stored) return null;
  const parsed = payloadSchema.safeParse(JSON.parse(stored));
  return parsed.success ? parsed.data : null;
}
