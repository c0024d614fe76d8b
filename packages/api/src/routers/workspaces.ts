import {
  createWorkspace,
  deleteWorkspace,
  deleteWorkspaceInput,
  findMyWorkspace,
  listMyWorkspaces,
  notFound,
  PERMISSIONS,
  renameWorkspace,
  renameWorkspaceInput,
  slugSchema,
  workspaceNameSchema,
} from "@tributary/core";
import { z } from "zod";
import { router, userProcedure, workspaceProcedure } from "../trpc.ts";

export const workspacesRouter = router({
  list: userProcedure.query(({ ctx: { db, user } }) => listMyWorkspaces({ db, userId: user.id })),

  /** The workspace behind a URL slug, with the caller's role and what that role may do. */
  bySlug: userProcedure
    .input(z.object({ slug: z.string().max(60) }))
    .query(async ({ ctx: { db, user, session }, input }) => {
      const workspace = await findMyWorkspace({
        db,
        userId: user.id,
        slug: input.slug,
        ssoWorkspaceId: session.ssoWorkspaceId ?? null,
      });
      if (!workspace) throw notFound("That workspace");
      return { ...workspace, permissions: PERMISSIONS[workspace.role] };
    }),

  create: userProcedure
    .input(z.object({ name: workspaceNameSchema, slug: slugSchema.optional() }))
    .mutation(({ ctx: { db, actor }, input }) => createWorkspace({ db, actor, ...input })),

  rename: workspaceProcedure("workspace.rename")
    .input(renameWorkspaceInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      renameWorkspace({ db, actor, workspaceId: workspace.id, name: input.name, slug: input.slug }),
    ),

  delete: workspaceProcedure("workspace.delete")
    .input(deleteWorkspaceInput)
    .mutation(({ ctx: { db, workspace }, input }) =>
      deleteWorkspace({ db, workspaceId: workspace.id, confirmSlug: input.confirmSlug }),
    ),
});
