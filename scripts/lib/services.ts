// Checks that Postgres and Redis answer before anything starts, and says how to get them when not.

const HOW_TO_GET =
  "Start them with `docker compose up -d postgres redis`, or install PostgreSQL 15+ and Redis 7+ locally, " +
  "or point DATABASE_URL / REDIS_URL at servers you have.";

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

export async function ensurePostgres(databaseUrl: string): Promise<void> {
  const { default: pg } = await import("pg");
  const target = new URL(databaseUrl);
  const database = decodeURIComponent(target.pathname.slice(1));
  // Connect to the server's maintenance database first: the app's database may not exist yet.
  const server = new URL(databaseUrl);
  server.pathname = "/postgres";
  const client = new pg.Client({ connectionString: server.toString(), connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `Cannot reach PostgreSQL at ${redact(databaseUrl)}: ${(error as Error).message.replace(/\.$/, "")}.\n${HOW_TO_GET}`,
    );
  }
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (!exists.rowCount) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

export async function ensureRedis(redisUrl: string): Promise<void> {
  const { Redis } = await import("ioredis");
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `Cannot reach Redis at ${redact(redisUrl)}: ${(error as Error).message.replace(/\.$/, "")}.\n${HOW_TO_GET}`,
    );
  } finally {
    redis.disconnect();
  }
}
