import {
  accountDeletionPlan,
  changeEmailInput,
  changePassword,
  changePasswordInput,
  confirmTwoFactor,
  confirmTwoFactorInput,
  deleteAccount,
  deleteAccountInput,
  disableTwoFactor,
  disableTwoFactorInput,
  keepDemo,
  keepDemoInput,
  requestEmailChange,
  resendVerification,
  revokeAllSessions,
  startEmailVerification,
  startTwoFactor,
  twoFactorStatus,
  verificationStatus,
} from "@tributary/core";
import { router, userProcedure, verificationOf } from "../trpc.ts";

export const accountRouter = router({
  me: userProcedure.query(({ ctx: { user } }) => user),

  /** Revokes every session, this one included: the browser signs in again. */
  changePassword: userProcedure
    .input(changePasswordInput)
    .mutation(({ ctx: { db, user }, input }) => changePassword({ db, userId: user.id, ...input })),

  /** Whether the address is verified, and whether this installation asks for it. */
  emailStatus: userProcedure.query(({ ctx }) =>
    verificationStatus({ db: ctx.db, verification: verificationOf(ctx), userId: ctx.user.id }),
  ),

  resendVerification: userProcedure.mutation(({ ctx }) =>
    resendVerification({ db: ctx.db, redis: ctx.redis, verification: verificationOf(ctx), userId: ctx.user.id }),
  ),

  /** With verification on, the new address takes effect when its mailed link is opened. */
  changeEmail: userProcedure.input(changeEmailInput).mutation(({ ctx, input }) =>
    requestEmailChange({
      db: ctx.db,
      redis: ctx.redis,
      verification: verificationOf(ctx),
      userId: ctx.user.id,
      ...input,
    }),
  ),

  /** A demo visitor becomes an account; their demo workspaces stay, on the free plan. */
  keepDemo: userProcedure.input(keepDemoInput).mutation(async ({ ctx, input }) => {
    const { db, redis, user } = ctx;
    const kept = await keepDemo({ db, userId: user.id, ...input });
    await startEmailVerification({ db, redis, verification: verificationOf(ctx), userId: user.id }).catch(
      (error: unknown) => console.error("verification mail failed:", error),
    );
    return kept;
  }),

  /** What deleting the account would delete with it, and what stands in the way. */
  deletionPlan: userProcedure.query(({ ctx: { db, user } }) => accountDeletionPlan({ db, userId: user.id })),

  deleteAccount: userProcedure
    .input(deleteAccountInput)
    .mutation(({ ctx: { db, user, ip }, input }) => deleteAccount({ db, userId: user.id, ip, ...input })),

  twoFactorStatus: userProcedure.query(({ ctx: { db, user } }) => twoFactorStatus({ db, userId: user.id })),

  /** A new TOTP secret and its otpauth:// URI (for the QR code), pending until confirmed with a code. */
  startTwoFactor: userProcedure.mutation(({ ctx: { db, secretBox, user } }) =>
    startTwoFactor({ db, secretBox, userId: user.id }),
  ),

  /** Turns it on; the answer holds the recovery codes, shown this once. */
  confirmTwoFactor: userProcedure
    .input(confirmTwoFactorInput)
    .mutation(({ ctx: { db, secretBox, user, ip }, input }) =>
      confirmTwoFactor({ db, secretBox, userId: user.id, ip, ...input }),
    ),

  disableTwoFactor: userProcedure
    .input(disableTwoFactorInput)
    .mutation(({ ctx: { db, redis, user, ip }, input }) =>
      disableTwoFactor({ db, redis, userId: user.id, ip, ...input }),
    ),

  signOutEverywhere: userProcedure.mutation(({ ctx: { db, user } }) => revokeAllSessions({ db, userId: user.id })),
});
