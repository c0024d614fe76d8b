import { type Db, scoped, uuidv7Floor } from "@tributary/db";
import type { FlowListItem } from "./flow-views.ts";

const DAY_MS = 24 * 3600 * 1000;

/** The workspace's flows with their last run and the last 24 hours of runs (test runs aside). */
export async function listFlows({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<FlowListItem[]> {
  const since = uuidv7Floor(new Date(Date.now() - DAY_MS));
  return scoped(db, { workspaceId }, async (tx) => {
    const flows = await tx.flow.findMany({
      where: { workspaceId },
      orderBy: { name: "asc" },
      select: {
        id: true,
        name: true,
        description: true,
        status: true,
        updatedAt: true,
        currentVersion: { select: { number: true } },
      },
    });
    // Per flow, index range scans on (workspace_id, flow_id, id): fast however many runs a flow has had.
    const stats = await tx.$queryRaw<
      { flow_id: string; runs: number; failed: number; last_status: string | null; last_at: Date | null }[]
    >`
      SELECT f.id AS flow_id, day.runs, day.failed, last.status::text AS last_status, last.queued_at AS last_at
      FROM flows f
      CROSS JOIN LATERAL (
        SELECT count(*)::int AS runs, count(*) FILTER (WHERE r.status = 'failed')::int AS failed
        FROM runs r
        WHERE r.workspace_id = f.workspace_id AND r.flow_id = f.id AND r.id >= ${since}::uuid AND NOT r.is_test
      ) day
      LEFT JOIN LATERAL (
        SELECT r.status, r.queued_at FROM runs r
        WHERE r.workspace_id = f.workspace_id AND r.flow_id = f.id AND NOT r.is_test
        ORDER BY r.id DESC LIMIT 1
      ) last ON true
      WHERE f.workspace_id = ${workspaceId}::uuid`;
    const byFlow = new Map(stats.map((row) => [row.flow_id, row]));
    return flows.map(({ currentVersion, ...flow }) => {
      const row = byFlow.get(flow.id);
      return {
        ...flow,
        currentVersion: currentVersion?.number ?? null,
        lastRun: row?.last_at ? { status: row.last_status ?? "", at: row.last_at } : null,
        runsLastDay: row?.runs ?? 0,
        failedLastDay: row?.failed ?? 0,
      };
    });
  });
}
