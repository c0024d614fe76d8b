import { type Db, Prisma, scoped } from "@tributary/db";
import { z } from "zod";
import { deadLetterState, deadLetterWhere } from "../dead-letters/dead-letter-state.ts";
import { type RunSummary, toRunSummary } from "./run-views.ts";

/** Which runs: the Runs page's filters (a bulk re-run takes the same). */
export const runFilter = z.object({
  flowId: z.uuid().optional(),
  status: z.enum(["queued", "running", "waiting", "succeeded", "failed", "cancelled"]).optional(),
  /** Runs where a step failed and its error path took over. */
  hadErrors: z.boolean().optional(),
  trigger: z.string().max(40).optional(),
  messageId: z.string().max(200).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  /** A header of the input message: name and value. */
  header: z.object({ name: z.string().min(1).max(200), value: z.string().max(2000) }).optional(),
  /** Dead letters (failed runs of queue, stream and poll triggers) in this state. */
  deadLetter: deadLetterState.optional(),
});

export const listRunsInput = runFilter.extend({
  /** A run id (as a caller of a webhook gets it) or a message id. */
  id: z.string().trim().min(1).max(200).optional(),
  /** Words that must appear in the input or output body. */
  text: z.string().trim().min(1).max(200).optional(),
  cursor: z.uuid().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export type RunFilter = z.output<typeof runFilter>;
export type ListRunsFilter = z.output<typeof listRunsInput>;

/** The runs of a workspace a filter selects. */
export function runFilterWhere(workspaceId: string, filter: RunFilter): Prisma.RunWhereInput {
  return {
    workspaceId,
    ...(filter.flowId ? { flowId: filter.flowId } : {}),
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.hadErrors !== undefined ? { hadErrors: filter.hadErrors } : {}),
    ...(filter.trigger ? { trigger: filter.trigger } : {}),
    ...(filter.messageId ? { messageId: filter.messageId } : {}),
    ...(filter.from || filter.to
      ? { queuedAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lte: filter.to } : {}) } }
      : {}),
    ...(filter.header
      ? { input: { path: ["headers"], array_contains: [{ name: filter.header.name, value: filter.header.value }] } }
      : {}),
    ...(filter.deadLetter ? { AND: [deadLetterWhere(filter.deadLetter)] } : {}),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Newest first, keyset-paginated on the run id (UUIDv7: time-ordered), so a million runs page as fast as ten. */
export async function listRuns({
  db,
  workspaceId,
  ...filter
}: { db: Db; workspaceId: string } & ListRunsFilter): Promise<{
  runs: RunSummary[];
  nextCursor: string | null;
}> {
  const where: Prisma.RunWhereInput = {
    ...runFilterWhere(workspaceId, filter),
    ...(filter.id
      ? UUID.test(filter.id)
        ? { OR: [{ id: filter.id.toLowerCase() }, { messageId: filter.id }] }
        : { messageId: filter.id }
      : {}),
    ...(filter.cursor ? { id: { lt: filter.cursor } } : {}),
  };
  const rows = await scoped(db, { workspaceId }, async (tx) => {
    if (filter.text) {
      const ids = await tx.$queryRaw<{ id: string }[]>`
        SELECT id::text FROM runs
        WHERE workspace_id = ${workspaceId}::uuid
          AND (input->>'body' ILIKE ${`%${filter.text}%`} OR output->>'body' ILIKE ${`%${filter.text}%`})
          ${filter.cursor ? Prisma.sql`AND id < ${filter.cursor}::uuid` : Prisma.empty}
        ORDER BY id DESC LIMIT 2000`;
      where.id = { in: ids.map((r) => r.id), ...(filter.cursor ? { lt: filter.cursor } : {}) };
    }
    return tx.run.findMany({
      where,
      orderBy: { id: "desc" },
      take: filter.limit + 1,
      select: {
        id: true,
        flowId: true,
        status: true,
        trigger: true,
        isTest: true,
        messageId: true,
        queuedAt: true,
        startedAt: true,
        finishedAt: true,
        error: true,
        hadErrors: true,
        flow: { select: { name: true } },
        flowVersion: { select: { number: true } },
      },
    });
  });
  const runs = rows.slice(0, filter.limit).map(toRunSummary);
  return { runs, nextCursor: rows.length > filter.limit ? (runs.at(-1)?.id ?? null) : null };
}
