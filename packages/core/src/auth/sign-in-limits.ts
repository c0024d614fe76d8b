// Brute-force protection for sign-in, counted in Redis, designed so an attacker cannot lock a victim out:
// - per (account, IP) pair: a few failures block that pair only; the victim's own IP is unaffected;
// - per IP: many failures across accounts block that IP (credential stuffing from one place);
// - per account, across IPs: a distributed attack blocks attempts from new IPs for a bounded window, while
//   IPs that signed in to it before ("known") and browsers with the account's device token keep working;
// - per device token: a browser bringing a valid token is limited on its own count only (a stolen token
//   that fails a few times is no longer trusted), never by what others do to the account or its IP.
// Accounts are keyed by a hash of the typed email, existing or not, so the limits reveal nothing.
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { AppError } from "../errors/app-error.ts";

export const SIGN_IN_LIMITS = {
  pair: { max: 5, windowSeconds: 15 * 60 },
  ip: { max: 50, windowSeconds: 15 * 60 },
  account: { max: 20, windowSeconds: 15 * 60 },
  device: { max: 10, windowSeconds: 15 * 60 },
  knownIpSeconds: 30 * 24 * 60 * 60,
} as const;

type Keys = { pair: string; ip: string; account: string; known: string; device: string | null };

/** Who the typed email is to the limits: a hash, the same whether the account exists or not. */
export function accountKey(email: string): string {
  return createHash("sha256").update(email).digest("base64url").slice(0, 22);
}

function keysFor({ email, ip, deviceId }: { email: string; ip: string; deviceId: string | null }): Keys {
  const account = accountKey(email);
  return {
    pair: `auth:fail:pair:${account}:${ip}`,
    ip: `auth:fail:ip:${ip}`,
    account: `auth:fail:account:${account}`,
    known: `auth:known:${account}`,
    device: deviceId ? `auth:fail:device:${account}:${deviceId}` : null,
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

type Attempt = {
  redis: Redis;
  /** Normalised. */
  email: string;
  ip: string;
  /** The id of a device token verified for this account (device-token.ts), or null. */
  deviceId: string | null;
};

/** Throws TOO_MANY_REQUESTS (with details.retryAfterSeconds) when this attempt may not be made now. */
export async function assertSignInAllowed({ redis, email, ip, deviceId }: Attempt) {
  const keys = keysFor({ email, ip, deviceId });
  const [pair, perIp, account, known, device] = await redis
    .multi()
    .get(keys.pair)
    .get(keys.ip)
    .get(keys.account)
    .zscore(keys.known, ip)
    // Without a device, the pair's count again, unused.
    .get(keys.device ?? keys.pair)
    .exec()
    .then((replies) => (replies ?? []).map(([, value]) => value as string | null));
  // A trusted browser: what others did to this account or from this IP does not count against it.
  if (keys.device && Number(device) < SIGN_IN_LIMITS.device.max) return;
  const blocked = [
    ...(keys.device ? [keys.device] : []),
    ...(Number(pair) >= SIGN_IN_LIMITS.pair.max ? [keys.pair] : []),
    ...(Number(perIp) >= SIGN_IN_LIMITS.ip.max ? [keys.ip] : []),
    ...(Number(account) >= SIGN_IN_LIMITS.account.max && known == null ? [keys.account] : []),
  ];
  if (blocked.length === 0) return;
  const ttls = await Promise.all(blocked.map((key) => redis.ttl(key)));
  throw tooMany(Math.max(...ttls, 1));
}

export async function recordSignInFailure({ redis, email, ip, deviceId }: Attempt) {
  const keys = keysFor({ email, ip, deviceId });
  const count = (key: string, windowSeconds: number) => {
    transaction.incr(key).expire(key, windowSeconds, "NX");
  };
  const transaction = redis.multi();
  count(keys.pair, SIGN_IN_LIMITS.pair.windowSeconds);
  count(keys.ip, SIGN_IN_LIMITS.ip.windowSeconds);
  count(keys.account, SIGN_IN_LIMITS.account.windowSeconds);
  if (keys.device) count(keys.device, SIGN_IN_LIMITS.device.windowSeconds);
  await transaction.exec();
}

export async function recordSignInSuccess({ redis, email, ip, deviceId }: Attempt) {
  const keys = keysFor({ email, ip, deviceId });
  const now = Date.now();
  const transaction = redis
    .multi()
    .del(keys.pair)
    .zadd(keys.known, now, ip)
    .zremrangebyscore(keys.known, 0, now - SIGN_IN_LIMITS.knownIpSeconds * 1000)
    .expire(keys.known, SIGN_IN_LIMITS.knownIpSeconds);
  if (keys.device) transaction.del(keys.device);
  await transaction.exec();
}
