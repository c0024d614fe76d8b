// Bulk re-run: the runs a filter selects (e.g. a flow's failed runs since a time, after a fix) re-run on the
// current version or their own. Starting one records it and queues a job; the job re-runs the runs in
// batches, newest first, keeping its place and counts in the record, so the Runs page and the REST API show
// its progress and a worker that restarts goes on where it was without re-running a run twice.
import { type Db, type Prisma, scoped } from "@tributary/db";
import type { JobQueue } from "@tributary/queue";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import { runFilter, runFilterWhere } from "./list-runs.ts";
import { rerun, rerunVersion } from "./rerun-run.ts";

/** At most this many runs in one bulk re-run: a larger set is re-run in parts, by a narrower filter. */
export const MAX_BULK_RERUN = 10_000;
const BATCH = 50;

export const bulkRerunInput = z.object({
  filter: runFilter.refine((filter) => filter.status && ["failed", "cancelled", "succeeded"].includes(filter.status), {
    message: "Choose which ended runs to re-run: filter by status failed, cancelled or succeeded.",
    path: ["status"],
  }),
  version: rerunVersion,
});

export const bulkRerunIdInput = z.object({ bulkRerunId: z.uuid() });

export type BulkRerunView = {
  id: string;
  filter: z.output<typeof runFilter>;
  version: "current" | "original";
  status: "running" | "succeeded" | "failed";
  total: number;
  done: number;
  failed: number;
  lastError: string | null;
  createdAt: Date;
  finishedAt: Date | null;
};

export async function startBulkRerun({
  db,
  queue,
  workspaceId,
  actor,
  filter,
  version,
}: { db: Db; queue: JobQueue; workspaceId: string; actor: Actor } & z.output<
  typeof bulkRerunInput
>): Promise<BulkRerunView> {
  const record = await scoped(db, { workspaceId }, async (tx) => {
    const total = await tx.run.count({ where: runFilterWhere(workspaceId, filter) });
    if (total === 0) throw new AppError("PRECONDITION_FAILED", "No run matches this filter; nothing to re-run.");
    if (total > MAX_BULK_RERUN) {
      throw new AppError(
        "PRECONDITION_FAILED",
        `${total} runs match this filter; a bulk re-run takes at most ${MAX_BULK_RERUN}. Narrow it (by flow or time).`,
        { total },
      );
    }
    const created = await tx.bulkRerun.create({
      data: {
        workspaceId,
        filter: JSON.parse(JSON.stringify(filter)) as Prisma.InputJsonObject,
        version,
        total,
        createdById: actor.userId,
      },
    });
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "runs.bulk_rerun",
      target: { type: "bulk_rerun", id: created.id },
      details: { total, version, filter: JSON.parse(JSON.stringify(filter)) as Prisma.InputJsonObject },
    });
    return created;
  });
  await queue.enqueue("runs.bulk-rerun", { schemaVersion: 1, workspaceId, bulkRerunId: record.id }).catch(() => {
    // Recorded: the next start of the job (or a retry from the page) picks it up.
  });
  return toView(record);
}

export async function getBulkRerun({
  db,
  workspaceId,
  bulkRerunId,
}: { db: Db; workspaceId: string } & z.output<typeof bulkRerunIdInput>): Promise<BulkRerunView> {
  const record = await scoped(db, { workspaceId }, (tx) =>
    tx.bulkRerun.findFirst({ where: { id: bulkRerunId, workspaceId } }),
  );
  if (!record) throw notFound("That bulk re-run");
  return toView(record);
}

/** The worker's part: re-runs what is left of a bulk re-run, a batch at a time. */
export async function continueBulkRerun({
  db,
  queue,
  workspaceId,
  bulkRerunId,
}: { db: Db; queue: JobQueue; workspaceId: string } & z.output<typeof bulkRerunIdInput>): Promise<BulkRerunView> {
  let record = await getBulkRerun({ db, workspaceId, bulkRerunId });
  while (record.status === "running") {
    const row = await scoped(db, { workspaceId }, (tx) =>
      tx.bulkRerun.findFirstOrThrow({ where: { id: bulkRerunId }, select: { cursor: true, createdAt: true } }),
    );
    const batch = await scoped(db, { workspaceId }, async (tx) => {
      // Runs queued since it started (its own re-runs among them) are not part of it.
      const runs = await tx.run.findMany({
        where: {
          AND: [runFilterWhere(workspaceId, record.filter), { queuedAt: { lt: row.createdAt } }],
          ...(row.cursor ? { id: { lt: row.cursor } } : {}),
        },
        orderBy: { id: "desc" },
        take: BATCH,
        select: { id: true },
      });
      // Runs this bulk re-run re-ran already, before a restart.
      const rerun = await tx.run.findMany({
        where: { rerunOfId: { in: runs.map((r) => r.id) }, queuedAt: { gte: row.createdAt } },
        select: { rerunOfId: true },
      });
      const done = new Set(rerun.map((r) => r.rerunOfId));
      return { ids: runs.map((r) => r.id), skip: done };
    });
    let done = 0;
    let failed = 0;
    let lastError: string | null = null;
    for (const runId of batch.ids) {
      if (batch.skip.has(runId)) continue;
      try {
        await rerun({ db, queue, workspaceId, runId, version: record.version });
        done++;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        failed++;
        lastError = `Run ${runId}: ${error.message}`;
      }
    }
    const cursor = batch.ids.at(-1);
    const updated = await scoped(db, { workspaceId }, (tx) =>
      tx.bulkRerun.update({
        where: { id: bulkRerunId },
        data: {
          done: { increment: done },
          failed: { increment: failed },
          ...(lastError ? { lastError } : {}),
          ...(cursor ? { cursor } : {}),
          ...(batch.ids.length < BATCH ? { status: "succeeded", finishedAt: new Date() } : {}),
        },
      }),
    );
    record = toView(updated);
  }
  return record;
}

function toView(record: {
  id: string;
  filter: Prisma.JsonValue;
  version: string;
  status: string;
  total: number;
  done: number;
  failed: number;
  lastError: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}): BulkRerunView {
  return {
    id: record.id,
    filter: runFilter.parse(record.filter),
    version: record.version === "original" ? "original" : "current",
    status: record.status === "succeeded" || record.status === "failed" ? record.status : "running",
    total: record.total,
    done: record.done,
    failed: record.failed,
    lastError: record.lastError,
    createdAt: record.createdAt,
    finishedAt: record.finishedAt,
  };
}
