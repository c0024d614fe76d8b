// Retention: runs (with their steps and messages) older than each workspace's plan allows are deleted, in
// batches so one big workspace never holds long locks; and statistics rollups past their last week.
import { type Db, scoped } from "@tributary/db";
import { deleteOldRollups } from "../statistics/delete-old-rollups.ts";

/** The smallest UUIDv7 of a moment: run ids are UUIDv7, so "older than" is "smaller than". */
export function uuidV7Floor(date: Date): string {
  const hex = date.getTime().toString(16).padStart(12, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}

export async function deleteExpiredRuns({
  db,
  batchSize = 1_000,
  now = new Date(),
}: {
  db: Db;
  batchSize?: number;
  now?: Date;
}): Promise<{ deleted: number }> {
  const workspaces = await db.$queryRaw<{ workspace_id: string; retention_days: number }[]>`
    SELECT workspace_id::text, retention_days FROM system_workspace_retention()`;
  let deleted = 0;
  for (const { workspace_id: workspaceId, retention_days: days } of workspaces) {
    const cutoff = uuidV7Floor(new Date(now.getTime() - days * 24 * 3600 * 1000));
    for (;;) {
      const count = await scoped(
        db,
        { workspaceId },
        (tx) =>
          tx.$executeRaw`
          DELETE FROM runs WHERE id IN (
            SELECT id FROM runs WHERE workspace_id = ${workspaceId}::uuid AND id < ${cutoff}::uuid
              AND status IN ('succeeded', 'failed', 'cancelled')
            ORDER BY id LIMIT ${batchSize})`,
      );
      deleted += count;
      if (count < batchSize) break;
    }
    await deleteOldRollups({ db, workspaceId, now });
  }
  return { deleted };
}
