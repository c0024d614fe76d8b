// A webhook call is counted among its workspace's calls this minute (the plan's rate) and, when its caller
// waits for the answer, among the callers waiting now (the plan's concurrency): both in one script, sent by
// its hash — one command to Redis per call. With Redis down the call is let through uncounted (nothing is
// lost: the run is committed to Postgres, and the worker's sweeper queues it when Redis is back).
import type { Redis } from "ioredis";
import { redisOrNothing } from "./redis-or-nothing.ts";

const COUNT = `
local perMinute = redis.call('INCR', KEYS[1])
if perMinute == 1 then redis.call('EXPIRE', KEYS[1], 120) end
local waiting = 0
if KEYS[2] then waiting = redis.call('INCR', KEYS[2]) end
return {perMinute, waiting}
`;

/** A call as counted; `release` when it is answered (a waiting caller stops counting). */
export type CallCounts = { perMinute: number; waiting: number; release(): void };

type CountCommands = Redis & {
  countWebhookCall(keyCount: number, ...keys: string[]): Promise<[number, number]>;
};

export const rateKey = (workspaceId: string, at = Date.now()) =>
  `ingress:rate:${workspaceId}:${Math.floor(at / 60_000)}`;
export const waitsKey = (workspaceId: string) => `ingress:sync-waits:${workspaceId}`;

export function createCallCounter(redis: Redis) {
  const commands = redis as CountCommands;
  if (!("countWebhookCall" in commands)) redis.defineCommand("countWebhookCall", { lua: COUNT });
  return async function countCall({
    workspaceId,
    waits,
  }: {
    workspaceId: string;
    waits: boolean;
  }): Promise<CallCounts> {
    const keys = waits ? [rateKey(workspaceId), waitsKey(workspaceId)] : [rateKey(workspaceId)];
    const [perMinute, waiting] = await redisOrNothing(redis, () => commands.countWebhookCall(keys.length, ...keys), [
      0, 0,
    ] as [number, number]);
    return {
      perMinute,
      waiting,
      release() {
        if (waiting > 0) void redis.decr(waitsKey(workspaceId)).catch(() => 0);
      },
    };
  };
}
