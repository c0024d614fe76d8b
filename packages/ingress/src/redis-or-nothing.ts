// Redis work the ingress can do without: the rate limit and the sync-wait counter. While Redis is not
// connected, or when it does not answer within a moment, the call goes on without it (fails open) rather than
// waiting on reconnects: the run is committed to Postgres either way.
import type { Redis } from "ioredis";

const PATIENCE_MS = 250;

/** The command's result, or `fallback` when Redis is not connected or slower than PATIENCE_MS. */
export async function redisOrNothing<T>(redis: Redis, command: () => Promise<T>, fallback: T): Promise<T> {
  if (redis.status !== "ready") return fallback;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), PATIENCE_MS);
  });
  try {
    return await Promise.race([command().catch(() => fallback), late]);
  } finally {
    clearTimeout(timer);
  }
}
