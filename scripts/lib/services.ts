// Checks that Postgres and Redis answer before anything starts, and says how to get them when not.
import type { Client } from "pg";

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
    await ensureRowSecurityBypass(client, databaseUrl);
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (!exists.rowCount) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

/**
 * The role of DATABASE_URL owns the schema, and the few database functions that work across workspaces (the
 * sweeper, retention, demo resets, deleting a workspace with its last member) run as that owner. Under the forced
 * row-level security of every tenant table they see no rows unless the owner bypasses it, so a role that does
 * not would leave them finding and deleting nothing, silently. The app's own sessions switch to the restricted
 * role tributary_app whatever this role is.
 */
async function ensureRowSecurityBypass(client: Client, databaseUrl: string): Promise<void> {
  const { rows } = await client.query<{ name: string; bypasses: boolean }>(
    "SELECT rolname AS name, rolsuper OR rolbypassrls AS bypasses FROM pg_roles WHERE rolname = current_user",
  );
  const role = rows[0];
  if (role?.bypasses) return;
  const name = role?.name ?? "the connecting role";
  throw new Error(
    `The PostgreSQL role ${name} (DATABASE_URL ${redact(databaseUrl)}) is neither a superuser nor BYPASSRLS. ` +
      "Tributary migrates and owns its schema as this role, and its functions that work across workspaces run as " +
      "it; under the tables' forced row-level security they would see nothing. As a superuser, run " +
      `ALTER ROLE "${name.replaceAll('"', '""')}" BYPASSRLS; (the app's sessions still run as the restricted role tributary_app).`,
  );
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
