// Concurrency limits across all workers: at most N runs of a workspace (its plan) and of a flow (its own
// setting, the seeds' "max workers") at once. Each limit is a Redis sorted set of run ids scored by when
// the holder's claim expires, so a worker that dies frees its slots by itself.
import type { Redis } from "ioredis";

const ACQUIRE = `
local now = tonumber(ARGV[1])
local expires = tonumber(ARGV[2])
local member = ARGV[3]
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZSCORE', key, member) == false and redis.call('ZCARD', key) >= tonumber(ARGV[3 + i]) then
    return i
  end
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, expires, member)
  redis.call('PEXPIRE', key, tonumber(ARGV[2]) - now + 1000)
end
return 0
`;

export type SlotLimit = { key: string; limit: number };

export type RunSlots = {
  /** Claims a slot under every limit, or none: returns the key of the limit that is full, or null. */
  acquire(options: { runId: string; limits: SlotLimit[] }): Promise<string | null>;
  /** Keeps the claim alive for a run that is still working. */
  renew(options: { runId: string; limits: SlotLimit[] }): Promise<void>;
  release(options: { runId: string; limits: SlotLimit[] }): Promise<void>;
};

export function createRunSlots({ redis, ttlMs }: { redis: Redis; ttlMs: number }): RunSlots {
  return {
    async acquire({ runId, limits }) {
      const now = Date.now();
      const full = (await redis.eval(
        ACQUIRE,
        limits.length,
        ...limits.map((l) => l.key),
        now,
        now + ttlMs,
        runId,
        ...limits.map((l) => l.limit),
      )) as number;
      return full === 0 ? null : (limits[full - 1]?.key ?? null);
    },
    async renew({ runId, limits }) {
      const pipeline = redis.pipeline();
      for (const { key } of limits) pipeline.zadd(key, "XX", Date.now() + ttlMs, runId);
      await pipeline.exec();
    },
    async release({ runId, limits }) {
      const pipeline = redis.pipeline();
      for (const { key } of limits) pipeline.zrem(key, runId);
      await pipeline.exec();
    },
  };
}

export function slotLimits({
  workspaceId,
  flowId,
  workspaceLimit,
  flowLimit,
}: {
  workspaceId: string;
  flowId: string;
  workspaceLimit: number;
  flowLimit: number | null;
}): SlotLimit[] {
  return [
    { key: `slots:workspace:${workspaceId}`, limit: workspaceLimit },
    ...(flowLimit ? [{ key: `slots:flow:${flowId}`, limit: flowLimit }] : []),
  ];
}
