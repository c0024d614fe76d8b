import type { Db } from "@tributary/db";
import type { Redis } from "ioredis";

export type Health = { db: "ok" | "down"; redis: "ok" | "down" };

const TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timed out")), TIMEOUT_MS).unref()),
  ]);
}

export async function checkHealth({ db, redis }: { db: Db; redis: Redis }): Promise<Health> {
  const [database, cache] = await Promise.allSettled([withTimeout(db.$queryRaw`SELECT 1`), withTimeout(redis.ping())]);
  return { db: database.status === "fulfilled" ? "ok" : "down", redis: cache.status === "fulfilled" ? "ok" : "down" };
}
