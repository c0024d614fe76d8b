// Brute-force protection for sign-in, counted in Redis, designed so an attacker cannot lock a victim out:
// - per (account, IP) pair: a few failures block that pair only; the victim's own IP is unaffected;
// - per IP: many failures across accounts block that IP (credential stuffing from one place);
// - per account, across IPs: a distributed attack blocks new IPs for the account, while IPs that signed in
//   to it successfully before ("known") keep working.
// Accounts are keyed by a hash of the typed email, existing or not, so the limits reveal nothing.
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { AppError } from "../errors/app-error.ts";

export const SIGN_IN_LIMITS = {
  pair: { max: 5, windowSeconds: 15 * 60 },
  ip: { max: 50, windowSeconds: 15 * 60 },
  account: { max: 20, windowSeconds: 60 * 60 },
  knownIpSeconds: 30 * 24 * 60 * 60,
} as const;

type Keys = { pair: string; ip: string; account: string; known: string };

function keysFor({ email, ip }: { email: string; ip: string }): Keys {
  const account = createHash("sha256").update(email).digest("base64url").slice(0, 22);
  return {
    pair: `auth:fail:pair:${account}:${ip}`,
    ip: `auth:fail:ip:${ip}`,
    account: `auth:fail:account:${account}`,
    known: `auth:known:${account}`,
  };
}

function tooMany(seconds: number): AppError {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return new AppError(
    "TOO_MANY_REQUESTS",
    `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}, or reset your password.`,
    { retryAfterSeconds: seconds },
  );
}

/** Throws TOO_MANY_REQUESTS when this email + IP may not try now. */
export async function assertSignInAllowed({ redis, email, ip }: { redis: Redis; email: string; ip: string }) {
  const keys = keysFor({ email, ip });
  const [pair, perIp, account, known] = await redis
    .multi()
    .get(keys.pair)
    .get(keys.ip)
    .get(keys.account)
    .zscore(keys.known, ip)
    .exec()
    .then((replies) => (replies ?? []).map(([, value]) => value as string | null));
  const blocked: string[] = [];
  if (Number(pair) >= SIGN_IN_LIMITS.pair.max) blocked.push(keys.pair);
  if (Number(perIp) >= SIGN_IN_LIMITS.ip.max) blocked.push(keys.ip);
  if (Number(account) >= SIGN_IN_LIMITS.account.max && known == null) blocked.push(keys.account);
  if (blocked.length === 0) return;
  const ttls = await Promise.all(blocked.map((key) => redis.ttl(key)));
  throw tooMany(Math.max(...ttls, 1));
}

export async function recordSignInFailure({ redis, email, ip }: { redis: Redis; email: string; ip: string }) {
  const keys = keysFor({ email, ip });
  await redis
    .multi()
    .incr(keys.pair)
    .expire(keys.pair, SIGN_IN_LIMITS.pair.windowSeconds, "NX")
    .incr(keys.ip)
    .expire(keys.ip, SIGN_IN_LIMITS.ip.windowSeconds, "NX")
    .incr(keys.account)
    .expire(keys.account, SIGN_IN_LIMITS.account.windowSeconds, "NX")
    .exec();
}

export async function recordSignInSuccess({ redis, email, ip }: { redis: Redis; email: string; ip: string }) {
  const keys = keysFor({ email, ip });
  const now = Date.now();
  await redis
    .multi()
    .del(keys.pair)
    .zadd(keys.known, now, ip)
    .zremrangebyscore(keys.known, 0, now - SIGN_IN_LIMITS.knownIpSeconds * 1000)
    .expire(keys.known, SIGN_IN_LIMITS.knownIpSeconds)
    .exec();
}
