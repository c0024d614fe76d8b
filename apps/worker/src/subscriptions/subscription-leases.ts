// One active consumer per subscription trigger across all workers: a worker consumes only while it holds the
// trigger's lease in Redis, renews it on every sync, and gives it up when it stops. A worker that dies stops
// renewing; another takes the lease over once it expires.
import type { Redis } from "ioredis";

const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

export function createSubscriptionLeases({
  redis,
  holder,
  leaseMs,
}: {
  redis: Redis;
  holder: string;
  leaseMs: number;
}) {
  const keyOf = (trigger: string) => `subscriptions:lease:${trigger}`;
  return {
    /** Takes the lease if nobody holds it, or keeps it if we do. */
    async hold(trigger: string): Promise<boolean> {
      if (Number(await redis.eval(RENEW, 1, keyOf(trigger), holder, leaseMs)) === 1) return true;
      return (await redis.set(keyOf(trigger), holder, "PX", leaseMs, "NX")) === "OK";
    },
    async release(trigger: string): Promise<void> {
      await redis.eval(RELEASE, 1, keyOf(trigger), holder);
    },
  };
}
