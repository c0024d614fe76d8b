// The rollups are read over seven days at most: older minutes are deleted with the retention sweep (a day's
// margin), whatever the plan keeps of the runs themselves.
import { type Db, scoped } from "@tributary/db";

export const ROLLUP_KEEP_MS = 8 * 24 * 3_600_000;

export async function deleteOldRollups({
  db,
  workspaceId,
  now = new Date(),
}: {
  db: Db;
  workspaceId: string;
  now?: Date;
}): Promise<number> {
  const before = new Date(now.getTime() - ROLLUP_KEEP_MS);
  return scoped(db, { workspaceId }, async (tx) => {
    const flows =
      await tx.$executeRaw`DELETE FROM flow_minute_stats WHERE workspace_id = ${workspaceId}::uuid AND minute < ${before}`;
    const steps =
      await tx.$executeRaw`DELETE FROM step_minute_stats WHERE workspace_id = ${workspaceId}::uuid AND minute < ${before}`;
    return flows + steps;
  });
}
