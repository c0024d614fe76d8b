// An export the browser asked for: started by a tRPC call (which checks the owner), downloaded once by the
// browser from /api/exports/<id>, its progress kept in Redis for the page to show while the download runs.
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";
import { AppError } from "../errors/app-error.ts";
import type { ExportProgress } from "./export-workspace.ts";

const TTL_SECONDS = 60 * 60;

const sessionSchema = z.object({
  workspaceId: z.string(),
  userId: z.string(),
  status: z.enum(["waiting", "running", "done", "failed"]),
  runsDone: z.number(),
  runsTotal: z.number().nullable(),
});

export type ExportSession = z.output<typeof sessionSchema>;

export const exportIdInput = z.object({ exportId: z.string().regex(/^[A-Za-z0-9_-]{22}$/) });

const keyOf = (exportId: string) => `export:${exportId}`;
const NOT_FOUND = "This export is not known or has expired. Start a new one from the workspace settings.";

async function load({ redis, exportId, userId }: { redis: Redis; exportId: string; userId: string }) {
  const stored = await redis.get(keyOf(exportId));
  const parsed = stored ? sessionSchema.safeParse(JSON.parse(stored)) : null;
  if (!parsed?.success || parsed.data.userId !== userId) throw new AppError("NOT_FOUND", NOT_FOUND);
  return parsed.data;
}

const save = (redis: Redis, exportId: string, session: ExportSession) =>
  redis.set(keyOf(exportId), JSON.stringify(session), "EX", TTL_SECONDS);

export async function startExport({
  redis,
  workspaceId,
  userId,
}: {
  redis: Redis;
  workspaceId: string;
  userId: string;
}): Promise<{ exportId: string; downloadUrl: string }> {
  const exportId = randomBytes(16).toString("base64url");
  await save(redis, exportId, { workspaceId, userId, status: "waiting", runsDone: 0, runsTotal: null });
  return { exportId, downloadUrl: `/api/exports/${exportId}` };
}

export async function exportProgress({
  redis,
  exportId,
  userId,
}: {
  redis: Redis;
  exportId: string;
  userId: string;
}): Promise<Omit<ExportSession, "userId">> {
  const { userId: _owner, ...progress } = await load({ redis, exportId, userId });
  return progress;
}

/**
 * Takes the export for its one download and returns how to report on it. The caller checks again that the
 * user may still export the workspace.
 */
export async function claimExport({
  redis,
  exportId,
  userId,
}: {
  redis: Redis;
  exportId: string;
  userId: string;
}): Promise<{
  workspaceId: string;
  progress(progress: ExportProgress): Promise<void>;
  finish(status: "done" | "failed"): Promise<void>;
}> {
  const session = await load({ redis, exportId, userId });
  if (session.status !== "waiting") {
    throw new AppError("CONFLICT", "This export was already downloaded. Start a new one.");
  }
  let current: ExportSession = { ...session, status: "running" };
  await save(redis, exportId, current);
  return {
    workspaceId: session.workspaceId,
    async progress({ runsDone, runsTotal }) {
      current = { ...current, runsDone, runsTotal };
      await save(redis, exportId, current);
    },
    async finish(status) {
      current = { ...current, status };
      await save(redis, exportId, current);
    },
  };
}
