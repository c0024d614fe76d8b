// The download of a workspace export started by exports.start: once, by the user who started it, while they
// may still export the workspace. The archive streams as it is written; the page shows the progress.
import {
  AppError,
  can,
  claimExport,
  exportFileName,
  exportIdInput,
  exportWorkspace,
  memberRole,
} from "@tributary/core";
import { getAuth } from "~/server/auth.ts";
import { deps } from "~/server/deps.ts";

export const dynamic = "force-dynamic";

const refuse = (status: number, message: string) =>
  Response.json({ error: { code: status === 404 ? "not_found" : "conflict", message } }, { status });

export async function GET(_request: Request, { params }: { params: Promise<{ exportId: string }> }) {
  const parsed = exportIdInput.safeParse(await params);
  const auth = await getAuth();
  if (!auth) return refuse(401, "Sign in to download the export.");
  if (!parsed.success) return refuse(404, "No such export.");
  const { db, redis } = deps();
  let claimed: Awaited<ReturnType<typeof claimExport>>;
  try {
    claimed = await claimExport({ redis, exportId: parsed.data.exportId, userId: auth.user.id });
  } catch (error) {
    if (error instanceof AppError) return refuse(error.code === "NOT_FOUND" ? 404 : 409, error.message);
    throw error;
  }
  // A workspace that requires two-factor sign-in refuses a member without it (an AppError): no export either.
  const role = await memberRole({
    db,
    workspaceId: claimed.workspaceId,
    userId: auth.user.id,
    ssoWorkspaceId: auth.claims.ssoWorkspaceId ?? null,
  }).catch((error: unknown) => {
    if (error instanceof AppError) return null;
    throw error;
  });
  if (!role || !can(role, "workspace.export")) {
    await claimed.finish("failed");
    return refuse(404, "No such export.");
  }
  const fileName = await exportFileName({ db, workspaceId: claimed.workspaceId });
  const archive = exportWorkspace({ db, workspaceId: claimed.workspaceId, onProgress: claimed.progress });
  const reported = archive.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      flush: () => claimed.finish("done"),
    }),
  );
  return new Response(reported, {
    headers: {
      "content-type": "application/zip",
      "content-disposition": `attachment; filename="${fileName}"`,
      "cache-control": "no-store",
    },
  });
}
