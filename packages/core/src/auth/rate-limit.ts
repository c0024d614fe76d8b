import type { Redis } from "ioredis";
import { AppError } from "../errors/app-error.ts";

/**
 * Counts one attempt under `key` in a fixed window and throws TOO_MANY_REQUESTS (with retryAfterSeconds) once
 * more than `max` were made in it.
 */
export async function assertWithinLimit({
  redis,
  key,
  max,
  windowSeconds,
  message,
}: {
  redis: Redis;
  key: string;
  max: number;
  windowSeconds: number;
  message: string;
}): Promise<void> {
  const [[, count] = []] = (await redis.multi().incr(key).expire(key, windowSeconds, "NX").exec()) ?? [];
  if (Number(count) > max) {
    throw new AppError("TOO_MANY_REQUESTS", message, { retryAfterSeconds: Math.max(1, await redis.ttl(key)) });
  }
}
