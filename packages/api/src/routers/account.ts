import { changePassword, changePasswordInput, keepDemo, keepDemoInput, revokeAllSessions } from "@tributary/core";
import { router, userProcedure } from "../trpc.ts";

export const accountRouter = router({
  me: userProcedure.query(({ ctx: { user } }) => user),

  /** Revokes every session, this one included: the browser signs in again. */
  changePassword: userProcedure
    .input(changePasswordInput)
    .mutation(({ ctx: { db, user }, input }) => changePassword({ db, userId: user.id, ...input })),

  /** A demo visitor becomes an account; their demo workspaces stay, on the free plan. */
  keepDemo: userProcedure
    .input(keepDemoInput)
    .mutation(({ ctx: { db, user }, input }) => keepDemo({ db, userId: user.id, ...input })),

  signOutEverywhere: userProcedure.mutation(({ ctx: { db, user } }) => revokeAllSessions({ db, userId: user.id })),
});
