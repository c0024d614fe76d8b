// Concurrency limits across all workers: at most N runs of a workspace (its plan) and of a flow (its own
// setting, the seeds' "max workers") at once. Each limit is a Redis sorted set of claims scored by when the
// claim expires, so a worker that dies frees its slots by itself. A claim is taken before the run is read
// (one script, sent by its hash), so a run that may not start now costs no database work; claims under the
// same limits made at the same moment share one script call (a group commit of claims), and releases of one
// limit made at the same moment one ZREM.
import { randomBytes } from "node:crypto";
import { createGroupCommit, type RunSettings } from "@tributary/core";
import type { RedisKeys } from "@tributary/queue";
import type { Redis } from "ioredis";

// KEYS: the limits' sets; ARGV: now, the claims' expiry, each limit's size, then the members claiming, in
// order. Claims a slot under every limit for as many members as every limit has room for; returns how many.
const ACQUIRE = `
local now = tonumber(ARGV[1])
local expires = tonumber(ARGV[2])
local room = #ARGV - 2 - #KEYS
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  room = math.min(room, tonumber(ARGV[2 + i]) - redis.call('ZCARD', key))
end
if room <= 0 then
  return 0
end
local claims = {}
for m = 1, room do
  claims[2 * m - 1] = expires
  claims[2 * m] = ARGV[2 + #KEYS + m]
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, unpack(claims))
  redis.call('PEXPIRE', key, expires - now + 1000)
end
return room
`;

export type SlotLimit = { key: string; limit: number };

/** The slots one execution of a run holds: one claim under each limit. */
export type SlotClaim = { member: string; limits: SlotLimit[] };

export type RunSlots = {
  /** Claims a slot under every limit, or none: null when a limit is full. */
  acquire(options: { runId: string; limits: SlotLimit[] }): Promise<SlotClaim | null>;
  /** Keeps the claim alive for a run that is still working. */
  renew(claim: SlotClaim): Promise<void>;
  release(claim: SlotClaim): Promise<void>;
};

type SlotCommands = Redis & {
  acquireRunSlots(keyCount: number, ...args: (string | number)[]): Promise<number>;
};

export function createRunSlots({ redis, ttlMs }: { redis: Redis; ttlMs: number }): RunSlots {
  const commands = redis as SlotCommands;
  if (!("acquireRunSlots" in commands)) redis.defineCommand("acquireRunSlots", { lua: ACQUIRE });
  // A claim of its own per execution: two jobs of one run (a wake-up racing a takeover) never share one.
  const token = randomBytes(4).toString("hex");
  let executions = 0;
  const claims = createGroupCommit<{ member: string; limits: SlotLimit[] }, boolean>({
    async flush(_, batch) {
      const { limits } = batch[0] as { limits: SlotLimit[] };
      const now = Date.now();
      const granted = await commands.acquireRunSlots(
        limits.length,
        ...limits.map((l) => l.key),
        now,
        now + ttlMs,
        ...limits.map((l) => l.limit),
        ...batch.map((claim) => claim.member),
      );
      return batch.map((_, index) => index < granted);
    },
  });
  const releases = createGroupCommit<string, void>({
    async flush(key, members) {
      await redis.zrem(key, ...members);
      return members.map(() => undefined);
    },
  });
  return {
    async acquire({ runId, limits }) {
      const member = `${runId}~${token}${(executions++).toString(36)}`;
      const claimed = await claims(limits.map((l) => `${l.key}=${l.limit}`).join(" "), { member, limits });
      return claimed ? { member, limits } : null;
    },
    // A plain command, not a pipeline of its own: the connection auto-pipelines, so a renewal rides in the
    // same write as whatever else this moment sends.
    async renew({ member, limits }) {
      await Promise.all(limits.map(({ key }) => redis.zadd(key, "XX", Date.now() + ttlMs, member)));
    },
    async release({ member, limits }) {
      await Promise.all(limits.map(({ key }) => releases(key, member)));
    },
  };
}

/** The limits a run of the flow is claimed under: its workspace's, and its flow's own when it has one. */
export function slotLimits({
  keys,
  workspaceId,
  flowId,
  concurrency,
}: {
  keys: RedisKeys;
  workspaceId: string;
  flowId: string;
  concurrency: RunSettings["concurrency"];
}): SlotLimit[] {
  return [
    { key: keys.workspaceSlots(workspaceId), limit: concurrency.workspace },
    ...(concurrency.flow ? [{ key: keys.flowSlots(flowId), limit: concurrency.flow }] : []),
  ];
}
