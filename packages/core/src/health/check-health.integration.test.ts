import { createDb } from "@tributary/db";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { useTestEnvironment } from "../../../../test/support/environment.ts";
import { checkHealth } from "./check-health.ts";

const env = useTestEnvironment();

describe("health", () => {
  it("is ok when Postgres and Redis answer", async () => {
    expect(await checkHealth({ db: env.db, redis: env.redis })).toEqual({ db: "ok", redis: "ok" });
  });

  it("names what is down", async () => {
    const deadRedis = new Redis("redis://127.0.0.1:9", {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    deadRedis.on("error", () => {});
    const deadDb = createDb({ url: "postgresql://postgres@127.0.0.1:9/none" });
    try {
      expect(await checkHealth({ db: env.db, redis: deadRedis })).toEqual({ db: "ok", redis: "down" });
      expect(await checkHealth({ db: deadDb, redis: env.redis })).toEqual({ db: "down", redis: "ok" });
    } finally {
      deadRedis.disconnect();
      await deadDb.$disconnect();
    }
  });
});
