// Plain SQL on a pg pool, for the worker's hot path (taking runs up, checkpointing, finishing), where the
// ORM's per-query cost dominated (measured: over half the worker's CPU). Same role, same row-level security:
// every call runs in a transaction scoped to one workspace.
import pg from "pg";
import { APP_ROLE } from "./client.ts";

export type SqlPool = pg.Pool;
export type SqlClient = pg.PoolClient;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A pool of connections as the app's role. Postgres restarting ends every session with an error (57P01) that a
 * connection may emit at any moment, also twice or while checked out; unheard, it would end the process. So
 * every connection always has a listener, and the pool drops broken connections and opens new ones.
 */
export function createSqlPool({ url, maxConnections = 10 }: { url: string; maxConnections?: number }): SqlPool {
  const pool = new pg.Pool({
    connectionString: url,
    max: maxConnections,
    options: `-c role=${APP_ROLE}`,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on("error", () => {});
  pool.on("connect", (client) => {
    client.on("error", () => {});
  });
  return pool;
}

/**
 * Runs `work` in one transaction whose row-level security scope is the workspace. A transaction that is not
 * `durable` commits without waiting for its disk flush: for writes whose loss in a database crash costs only
 * time (a run marked taken up is taken up again), never data.
 */
export async function sqlInWorkspace<T>(
  pool: SqlPool,
  workspaceId: string,
  work: (client: SqlClient) => Promise<T>,
  { durable = true }: { durable?: boolean } = {},
): Promise<T> {
  // The id is checked to be a UUID, so it can go into the statement that opens the transaction: one round trip.
  if (!UUID.test(workspaceId)) throw new Error(`Not a workspace id: ${workspaceId}`);
  const client = await pool.connect();
  // A connection the server dropped while checked out is thrown away, not given back for reuse.
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on("error", onError);
  try {
    await client.query(
      `BEGIN;${durable ? "" : " SET LOCAL synchronous_commit TO off;"} SELECT set_config('app.workspace_id', '${workspaceId}', true)`,
    );
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    if (!broken) await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.off("error", onError);
    client.release(broken);
  }
}

/** A UUIDv7 (RFC 9562): 48 bits of milliseconds, then randomness, so ids sort by creation time. */
export function uuidv7(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const now = Date.now();
  for (let i = 0; i < 6; i++) bytes[i] = Math.floor(now / 2 ** (8 * (5 - i))) & 0xff;
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The smallest UUIDv7 of a moment: ids are time-ordered, so `id >= uuidv7Floor(t)` selects rows made since t by index. */
export function uuidv7Floor(at: Date): string {
  const hex = at.getTime().toString(16).padStart(12, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}
