// What `npm start` and `npm test` both need before anything runs: dependencies, configuration, a reachable
// Postgres and Redis, the Prisma client.
import { loadDotEnv } from "./dotenv.ts";
import { ensureDependencies, ensurePrismaClient } from "./install.ts";
import { step } from "./run.ts";

export const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/tributary";
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export async function prepare(): Promise<{ databaseUrl: string; redisUrl: string }> {
  ensureDependencies();
  loadDotEnv();
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  process.env.CHECKPOINT_DISABLE = "1";
  process.env.DATABASE_URL ??= DEFAULT_DATABASE_URL;
  process.env.REDIS_URL ??= DEFAULT_REDIS_URL;
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  ensurePrismaClient({ databaseUrl });
  const { ensurePostgres, ensureRedis } = await import("./services.ts");
  step("Checking PostgreSQL and Redis…");
  await ensurePostgres(databaseUrl);
  await ensureRedis(redisUrl);
  return { databaseUrl, redisUrl };
}
