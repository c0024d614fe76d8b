// Each test file gets its own Redis key prefix on the shared server, and removes its keys afterwards.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { TEST_REDIS_URL } from "./services.ts";

export type TestRedis = { redis: Redis; prefix: string; cleanup(): Promise<void> };

export function createTestRedis(): TestRedis {
  const prefix = `test:${process.pid}:${randomBytes(4).toString("hex")}:`;
  const redis = new Redis(TEST_REDIS_URL, { keyPrefix: prefix, maxRetriesPerRequest: 3 });
  return {
    redis,
    prefix,
    async cleanup() {
      redis.disconnect();
      await deleteKeysWithPrefix(prefix);
    },
  };
}

export async function deleteKeysWithPrefix(prefix: string): Promise<void> {
  const raw = new Redis(TEST_REDIS_URL);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await raw.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) await raw.del(...keys);
    } while (cursor !== "0");
  } finally {
    raw.disconnect();
  }
}
