import type { ConnectionOptions } from "bullmq";
import { Redis } from "ioredis";

export type QueueConnection = {
  /** Shared by producers; commands fail within seconds when Redis is down instead of hanging. */
  redis: Redis;
  url: string;
  /** The installation's prefix (REDIS_PREFIX), under which every key lives. */
  keyPrefix: string;
  /** Key prefix of every queue (BullMQ's own `prefix`), inside the installation's prefix. */
  prefix: string;
};

export function createQueueConnection({ url, keyPrefix }: { url: string; keyPrefix: string }): QueueConnection {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 3_000 });
  redis.on("error", () => {});
  return { redis, url, keyPrefix, prefix: `${keyPrefix}bull` };
}

/** A BullMQ worker opens (and closes) its own blocking connections from these options. */
export function workerConnectionOptions(url: string): ConnectionOptions {
  return { url, maxRetriesPerRequest: null };
}
