import { type Db, scoped } from "@tributary/db";
import { z } from "zod";

export const listAuditEventsInput = z.object({
  cursor: z.uuid().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export type AuditEventView = {
  id: string;
  action: string;
  actorEmail: string | null;
  ip: string | null;
  targetType: string | null;
  targetId: string | null;
  details: unknown;
  createdAt: Date;
};

/** Newest first, keyset-paginated by id (ids are UUIDv7, so they sort by time). */
export async function listAuditEvents({
  db,
  workspaceId,
  cursor,
  limit,
}: { db: Db; workspaceId: string } & z.output<typeof listAuditEventsInput>): Promise<{
  events: AuditEventView[];
  nextCursor: string | null;
}> {
  const rows = await scoped(db, { workspaceId }, (tx) =>
    tx.auditEvent.findMany({
      where: { workspaceId, ...(cursor ? { id: { lt: cursor } } : {}) },
      orderBy: { id: "desc" },
      take: limit + 1,
      select: {
        id: true,
        action: true,
        actorEmail: true,
        ip: true,
        targetType: true,
        targetId: true,
        details: true,
        createdAt: true,
      },
    }),
  );
  const events = rows.slice(0, limit);
  return { events, nextCursor: rows.length > limit ? (events.at(-1)?.id ?? null) : null };
}
