import type { ConnectionOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";

// Every client here sends the commands issued in one turn of the event loop in one write (ioredis's
// auto-pipelining): the run path issues many small ones at once, and a syscall each is what it would cost.

/**
 * For processes that answer people (the web): while Redis is unreachable a command fails at once instead of
 * waiting in ioredis's offline queue for a reconnect, and a command Redis does not answer fails within half a
 * second, so a request can say "try again" (503) or go on without Redis within a second.
 */
export const FAIL_FAST_REDIS: RedisOptions = {
  enableAutoPipelining: true,
  enableOfflineQueue: false,
  commandTimeout: 500,
  maxRetriesPerRequest: 1,
};

export type QueueConnection = {
  /** Shared by producers; commands fail within seconds when Redis is down instead of hanging. */
  redis: Redis;
  url: string;
  /** The installation's prefix (REDIS_PREFIX), under which every key lives. */
  keyPrefix: string;
  /** Key prefix of every queue (BullMQ's own `prefix`), inside the installation's prefix. */
  prefix: string;
};

export function createQueueConnection({
  url,
  keyPrefix,
  failFast = false,
}: {
  url: string;
  keyPrefix: string;
  /** See FAIL_FAST_REDIS; the worker waits out short outages instead. */
  failFast?: boolean;
}): QueueConnection {
  const redis = new Redis(
    url,
    failFast ? FAIL_FAST_REDIS : { enableAutoPipelining: true, maxRetriesPerRequest: 1, commandTimeout: 3_000 },
  );
  redis.on("error", () => {});
  return { redis, url, keyPrefix, prefix: `${keyPrefix}bull` };
}

/**
 * A BullMQ worker opens (and closes) its own connections from these options. Auto-pipelined too: a worker's
 * jobs that end in the same turn (a batch of runs stored in one commit) finish in one write rather than one
 * each — without it, finishing jobs was more than half the run worker's socket writes.
 */
export function workerConnectionOptions(url: string): ConnectionOptions {
  return { url, maxRetriesPerRequest: null, enableAutoPipelining: true };
}
