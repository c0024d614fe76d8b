// The Flows list: by name, a page at a time (keyset on name and id, so a workspace of thousands of flows pages
// as fast as one of ten), searchable, filtered by state, each flow with its last run and its last 24 hours.
import { type Db, type Prisma, scoped, uuidv7Floor } from "@tributary/db";
import { z } from "zod";
import { AppError } from "../errors/app-error.ts";
import type { FlowListItem } from "./flow-views.ts";

const DAY_MS = 24 * 3600 * 1000;

export const listFlowsInput = z.object({
  /** Words in the flow's name or description (case does not matter). */
  search: z.string().trim().max(200).optional(),
  /** draft: never published. */
  state: z.enum(["active", "paused", "draft"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

/** A page's cursor: the last flow's name and id, opaque to callers. */
const encodeCursor = (flow: { name: string; id: string }) =>
  Buffer.from(JSON.stringify([flow.name, flow.id])).toString("base64url");

function decodeCursor(cursor: string): { name: string; id: string } {
  try {
    const [name, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    if (typeof name === "string" && typeof id === "string" && z.uuid().safeParse(id).success) return { name, id };
  } catch {
    // Said below.
  }
  throw new AppError("BAD_REQUEST", "That cursor is not one this list gave; start again without it.");
}

/** The workspace's flows with their last run and the last 24 hours of runs (test runs aside). */
export async function listFlows({
  db,
  workspaceId,
  search,
  state,
  cursor,
  limit,
}: { db: Db; workspaceId: string } & z.output<typeof listFlowsInput>): Promise<{
  flows: FlowListItem[];
  nextCursor: string | null;
}> {
  const since = uuidv7Floor(new Date(Date.now() - DAY_MS));
  const after = cursor ? decodeCursor(cursor) : null;
  const where: Prisma.FlowWhereInput = {
    workspaceId,
    AND: [
      search
        ? {
            OR: [
              { name: { contains: search, mode: "insensitive" } },
              { description: { contains: search, mode: "insensitive" } },
            ],
          }
        : {},
      state === "draft" ? { currentVersionId: null } : state ? { status: state, currentVersionId: { not: null } } : {},
      after ? { OR: [{ name: { gt: after.name } }, { name: after.name, id: { gt: after.id } }] } : {},
    ],
  };
  return scoped(db, { workspaceId }, async (tx) => {
    const found = await tx.flow.findMany({
      where,
      orderBy: [{ name: "asc" }, { id: "asc" }],
      take: limit + 1,
      select: {
        id: true,
        name: true,
        description: true,
        status: true,
        updatedAt: true,
        currentVersion: { select: { number: true } },
      },
    });
    const flows = found.slice(0, limit);
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
      WHERE f.workspace_id = ${workspaceId}::uuid AND f.id = ANY(${flows.map((flow) => flow.id)}::uuid[])`;
    const byFlow = new Map(stats.map((row) => [row.flow_id, row]));
    const items = flows.map(({ currentVersion, ...flow }): FlowListItem => {
      const row = byFlow.get(flow.id);
      return {
        ...flow,
        currentVersion: currentVersion?.number ?? null,
        lastRun: row?.last_at ? { status: row.last_status ?? "", at: row.last_at } : null,
        runsLastDay: row?.runs ?? 0,
        failedLastDay: row?.failed ?? 0,
      };
    });
    const last = items.at(-1);
    return { flows: items, nextCursor: found.length > limit && last ? encodeCursor(last) : null };
  });
}
