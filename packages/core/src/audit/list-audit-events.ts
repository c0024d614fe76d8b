import { type Db, scoped, type Tx } from "@tributary/db";
import { z } from "zod";
import { AUDIT_ACTIONS } from "./record-audit.ts";

export const listAuditEventsInput = z.object({
  cursor: z.uuid().optional(),
  limit: z.number().int().min(1).max(200).default(50),
  /** Only events of this action. */
  action: z.enum(AUDIT_ACTIONS).optional(),
  /** Only events by actors whose email contains this (any case). */
  actor: z.string().trim().max(320).optional(),
  /** Only events at or after this time. */
  since: z.date().optional(),
  /** Only events before this time. */
  until: z.date().optional(),
});

export type AuditEventView = {
  id: string;
  action: string;
  actorEmail: string | null;
  ip: string | null;
  targetType: string | null;
  targetId: string | null;
  /** What the event is about in words: the flow's, connection's or secret's name, not its id. */
  targetName: string | null;
  details: unknown;
  createdAt: Date;
};

type Row = Omit<AuditEventView, "targetName">;

/** The name an event's own details give its target: a name, a rename's new name, a member's email. */
function nameInDetails({ action, details }: Pick<Row, "action" | "details">): string | null {
  if (!details || typeof details !== "object") return null;
  const d = details as Record<string, unknown>;
  if (typeof d.name === "string" && d.name) return d.name;
  if (action.endsWith(".renamed") && typeof d.to === "string" && d.to) return d.to;
  if (typeof d.email === "string" && d.email) return d.email;
  return null;
}

/**
 * Names for events that only carry their target's id (a publish, a status change, a revoked key): the target's
 * current name, else the name another event on this page gave it (a deleted flow's deletion names it).
 */
async function targetNames(tx: Tx, workspaceId: string, rows: Row[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const row of [...rows].reverse()) {
    const name = nameInDetails(row);
    if (row.targetId && name) names.set(row.targetId, name);
  }
  const missing = (type: string) =>
    [
      ...new Set(
        rows
          .filter((row) => row.targetType === type && row.targetId && !names.has(row.targetId))
          .map((r) => r.targetId),
      ),
    ] as string[];
  const lookups = [
    [
      "flow",
      (ids: string[]) =>
        tx.flow.findMany({ where: { workspaceId, id: { in: ids } }, select: { id: true, name: true } }),
    ],
    [
      "api_key",
      (ids: string[]) =>
        tx.apiKey.findMany({ where: { workspaceId, id: { in: ids } }, select: { id: true, name: true } }),
    ],
    [
      "connection",
      (ids: string[]) =>
        tx.connection.findMany({ where: { workspaceId, id: { in: ids } }, select: { id: true, name: true } }),
    ],
    [
      "security_rule",
      (ids: string[]) =>
        tx.securityRule.findMany({ where: { workspaceId, id: { in: ids } }, select: { id: true, name: true } }),
    ],
  ] as const;
  for (const [type, find] of lookups) {
    const ids = missing(type);
    if (!ids.length) continue;
    for (const found of await find(ids)) names.set(found.id, found.name);
  }
  return names;
}

/** Newest first, keyset-paginated by id (ids are UUIDv7, so they sort by time), with optional filters. */
export async function listAuditEvents({
  db,
  workspaceId,
  cursor,
  limit,
  action,
  actor,
  since,
  until,
}: { db: Db; workspaceId: string } & z.input<typeof listAuditEventsInput>): Promise<{
  events: AuditEventView[];
  nextCursor: string | null;
}> {
  const take = limit ?? 50;
  return scoped(db, { workspaceId }, async (tx) => {
    const rows = await tx.auditEvent.findMany({
      where: {
        workspaceId,
        ...(cursor ? { id: { lt: cursor } } : {}),
        ...(action ? { action } : {}),
        ...(actor ? { actorEmail: { contains: actor, mode: "insensitive" as const } } : {}),
        ...(since || until ? { createdAt: { ...(since ? { gte: since } : {}), ...(until ? { lt: until } : {}) } } : {}),
      },
      orderBy: { id: "desc" },
      take: take + 1,
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
    });
    const page = rows.slice(0, take);
    const names = await targetNames(tx, workspaceId, page);
    const events = page.map((row) => ({
      ...row,
      // A secret is named by its name; its id is its name.
      targetName:
        nameInDetails(row) ??
        (row.targetType === "secret" ? row.targetId : row.targetId ? (names.get(row.targetId) ?? null) : null),
    }));
    return { events, nextCursor: rows.length > take ? (events.at(-1)?.id ?? null) : null };
  });
}
