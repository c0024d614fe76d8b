// A demo lives while it is used: activity moves its deadline, at most once a minute; the worker deletes
// demos idle for a day with everything they own.
import { type Db, retryOnDeadlock, sqlInWorkspace } from "@tributary/db";
import type { JobQueue } from "@tributary/queue";
import type { Redis } from "ioredis";
import { reconcileSchedules } from "../schedules/reconcile-schedules.ts";

export const DEMO_IDLE_MS = 24 * 3600 * 1000;

export async function touchDemo({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<void> {
  await sqlInWorkspace(db.sql, workspaceId, (client) =>
    client.query(
      `UPDATE workspaces SET last_active_at = now()
       WHERE id = $1 AND is_demo AND (last_active_at IS NULL OR last_active_at < now() - interval '1 minute')`,
      [workspaceId],
    ),
  );
}

/** Deletes idle demo workspaces in batches, with their visitors, Redis keys and schedules; returns how many. */
export async function deleteIdleDemos({
  db,
  queue,
  redis,
  redisPrefix,
  idleMs = DEMO_IDLE_MS,
  batch = 100,
}: {
  db: Db;
  queue: JobQueue;
  /** A client without a key prefix: keys are matched with the installation's prefix in front. */
  redis: Redis;
  redisPrefix: string;
  idleMs?: number;
  batch?: number;
}): Promise<number> {
  let deleted = 0;
  for (;;) {
    const { rows } = await retryOnDeadlock(() =>
      db.sql.query<{ workspace_id: string }>("SELECT workspace_id FROM system_delete_idle_demos($1, $2)", [
        new Date(Date.now() - idleMs),
        batch,
      ]),
    );
    for (const { workspace_id: workspaceId } of rows)
      await deleteKeysOf({ redis, pattern: `${redisPrefix}*${workspaceId}*` });
    deleted += rows.length;
    if (rows.length < batch) break;
  }
  // Their flows are gone: so are the job schedulers of their schedule triggers.
  if (deleted) await reconcileSchedules({ db, queue });
  return deleted;
}

async function deleteKeysOf({ redis, pattern }: { redis: Redis; pattern: string }) {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== "0");
}
