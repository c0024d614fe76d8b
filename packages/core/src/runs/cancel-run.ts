import { type Db, Prisma, scoped } from "@tributary/db";
import type { Redis } from "ioredis";
import { z } from "zod";
import { AppError, notFound } from "../errors/app-error.ts";

export const runIdInput = z.object({ runId: z.uuid() });

export const cancelKey = (runId: string) => `run:cancel:${runId}`;

/** Cancels a run that has not ended. A worker running it stops before its next step. */
export async function cancelRun({
  db,
  redis,
  workspaceId,
  runId,
}: { db: Db; redis: Redis; workspaceId: string } & z.output<typeof runIdInput>): Promise<void> {
  await scoped(db, { workspaceId }, async (tx) => {
    const run = await tx.run.findFirst({ where: { id: runId, workspaceId }, select: { status: true } });
    if (!run) throw notFound("That run");
    if (run.status === "succeeded" || run.status === "failed" || run.status === "cancelled") {
      throw new AppError("PRECONDITION_FAILED", `The run already ended (${run.status}); nothing to cancel.`);
    }
    await tx.run.update({
      where: { id: runId },
      data: {
        status: "cancelled",
        finishedAt: new Date(),
        error: { message: "Cancelled by a user." },
        park: Prisma.DbNull,
        wakeAt: null,
      },
    });
  });
  await redis.set(cancelKey(runId), "1", "EX", 24 * 3600).catch(() => undefined);
}
