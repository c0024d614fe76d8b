import { type Db, retryOnDeadlock, scoped } from "@tributary/db";
import { z } from "zod";
import { AppError } from "../errors/app-error.ts";

export const deleteWorkspaceInput = z.object({
  /** The user types the slug to confirm: deleting removes everything the workspace owns. */
  confirmSlug: z.string(),
});

export async function deleteWorkspace({
  db,
  workspaceId,
  confirmSlug,
}: { db: Db; workspaceId: string } & z.output<typeof deleteWorkspaceInput>): Promise<void> {
  await retryOnDeadlock(() =>
    scoped(db, { workspaceId }, async (tx) => {
      const workspace = await tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { slug: true } });
      if (workspace.slug !== confirmSlug.trim()) {
        throw new AppError("BAD_REQUEST", `Type the workspace's slug "${workspace.slug}" to confirm the deletion.`, {
          field: "confirmSlug",
        });
      }
      // Everything the workspace owns goes with it (foreign keys cascade; its runs go with its flows), its audit
      // log included.
      await tx.workspace.delete({ where: { id: workspaceId } });
    }),
  );
}
