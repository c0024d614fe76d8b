import { type Db, scoped } from "@tributary/db";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { AppError } from "../errors/app-error.ts";
import type { WorkspaceSummary } from "./create-workspace.ts";
import { isUniqueViolation } from "./create-workspace.ts";
import { slugSchema } from "./slug.ts";
import { workspaceNameSchema } from "./workspace-name.ts";

export const renameWorkspaceInput = z.object({ name: workspaceNameSchema, slug: slugSchema.optional() });

export async function renameWorkspace({
  db,
  workspaceId,
  actor,
  name,
  slug,
}: { db: Db; workspaceId: string; actor: Actor } & z.output<typeof renameWorkspaceInput>): Promise<WorkspaceSummary> {
  try {
    return await scoped(db, { workspaceId }, async (tx) => {
      const before = await tx.workspace.findUniqueOrThrow({
        where: { id: workspaceId },
        select: { name: true, slug: true },
      });
      const after = await tx.workspace.update({
        where: { id: workspaceId },
        data: { name, ...(slug ? { slug } : {}) },
        select: { id: true, slug: true, name: true },
      });
      await recordAudit({
        tx,
        workspaceId,
        actor,
        action: "workspace.renamed",
        details: { from: before, to: { name: after.name, slug: after.slug } },
      });
      return after;
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError("CONFLICT", `The slug "${slug}" is taken; choose another.`, { field: "slug" });
    throw error;
  }
}
