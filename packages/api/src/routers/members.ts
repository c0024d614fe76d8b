import {
  changeRole,
  changeRoleInput,
  createInvite,
  createInviteInput,
  listMembers,
  listPendingInvites,
  removeMember,
  removeMemberInput,
  revokeInvite,
  revokeInviteInput,
} from "@tributary/core";
import { router, workspaceProcedure } from "../trpc.ts";

export const membersRouter = router({
  list: workspaceProcedure("members.read").query(({ ctx: { db, workspace } }) =>
    listMembers({ db, workspaceId: workspace.id }),
  ),

  changeRole: workspaceProcedure("members.manage")
    .input(changeRoleInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      changeRole({ db, actor, actorRole: workspace.role, ...input, workspaceId: workspace.id }),
    ),

  remove: workspaceProcedure("members.manage")
    .input(removeMemberInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      removeMember({ db, actor, actorRole: workspace.role, ...input, workspaceId: workspace.id }),
    ),

  /** Any member may leave; the last owner may not. */
  leave: workspaceProcedure("workspace.read").mutation(({ ctx: { db, actor, workspace } }) =>
    removeMember({ db, actor, actorRole: workspace.role, workspaceId: workspace.id, userId: actor.userId }),
  ),

  invites: workspaceProcedure("members.manage").query(({ ctx: { db, workspace } }) =>
    listPendingInvites({ db, workspaceId: workspace.id }),
  ),

  invite: workspaceProcedure("members.manage")
    .input(createInviteInput)
    .mutation(({ ctx: { db, mailer, appUrl, actor, workspace }, input }) =>
      createInvite({ db, mailer, appUrl, actor, actorRole: workspace.role, ...input, workspaceId: workspace.id }),
    ),

  revokeInvite: workspaceProcedure("members.manage")
    .input(revokeInviteInput)
    .mutation(({ ctx: { db, actor, workspace }, input }) =>
      revokeInvite({ db, actor, ...input, workspaceId: workspace.id }),
    ),
});
