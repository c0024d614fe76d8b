// The real parts an integration test file runs against: its own database and its own Redis key prefix.
import { createDb, type Db } from "@tributary/core";
import { createJobQueue, createQueueConnection, type JobQueue } from "@tributary/queue";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, inject } from "vitest";
import { createTestDatabase, type TestDatabase } from "./database.ts";
import { createTestRedis, type TestRedis } from "./redis.ts";
import { TEST_REDIS_URL } from "./services.ts";

export type TestEnvironment = { db: Db; redis: Redis; queue: JobQueue; databaseUrl: string; redisPrefix: string };

/** Call at the top of a test file; the returned object is filled in before the first test runs. */
export function useTestEnvironment(): TestEnvironment {
  const env = {} as TestEnvironment;
  let database: TestDatabase | undefined;
  let redis: TestRedis | undefined;
  beforeAll(async () => {
    database = await createTestDatabase({ template: inject("templateDatabase") });
    redis = createTestRedis();
    const connection = createQueueConnection({ url: TEST_REDIS_URL, keyPrefix: redis.prefix });
    Object.assign(env, {
      db: createDb({ url: database.url, maxConnections: 5 }),
      queue: createJobQueue(connection),
      redis: redis.redis,
      databaseUrl: database.url,
      redisPrefix: redis.prefix,
    });
  });
  afterAll(async () => {
    await env.queue?.close();
    await env.db?.$disconnect();
    await redis?.cleanup();
    await database?.drop();
  });
  return env;
}
