import {
  checkPasswordResetLink,
  previewInvite,
  requestPasswordReset,
  requestPasswordResetInput,
  resetPassword,
  resetPasswordInput,
  signUp,
  signUpInput,
  startEmailVerification,
  verifyEmail,
  verifyEmailInput,
} from "@tributary/core";
import { z } from "zod";
import { publicProcedure, router, verificationOf } from "../trpc.ts";

/** Before sign-in: create an account, look at an invite, reset a password. Sign-in itself is next-auth's credentials flow. */
export const authRouter = router({
  signUp: publicProcedure.input(signUpInput).mutation(async ({ ctx, input }) => {
    const { db, redis, ip, signUpsPerIpHour } = ctx;
    const { user, workspace } = await signUp({ db, redis, ip, perIpHour: signUpsPerIpHour, ...input });
    // The account exists either way; a mail that fails is sent again from the account page.
    await startEmailVerification({ db, redis, verification: verificationOf(ctx), userId: user.id }).catch(
      (error: unknown) => console.error("verification mail failed:", error),
    );
    return { workspaceSlug: workspace.slug };
  }),

  /** Opens a mailed verification link; no session needed. */
  verifyEmail: publicProcedure
    .input(verifyEmailInput)
    .mutation(({ ctx: { db, redis }, input }) => verifyEmail({ db, redis, ...input })),

  previewInvite: publicProcedure
    .input(z.object({ token: z.string().max(200) }))
    .query(({ ctx: { db }, input }) => previewInvite({ db, token: input.token })),

  /** The same answer whether or not an account has the address. */
  requestPasswordReset: publicProcedure
    .input(requestPasswordResetInput)
    .mutation(async ({ ctx: { db, redis, mailer, appUrl, ip }, input }) => {
      await requestPasswordReset({ db, redis, mailer, appUrl, ip, ...input });
      return { sent: true as const };
    }),

  checkPasswordResetLink: publicProcedure
    .input(z.object({ token: z.string().max(100) }))
    .query(async ({ ctx: { redis }, input }) => ({
      valid: await checkPasswordResetLink({ redis, token: input.token }),
    })),

  resetPassword: publicProcedure
    .input(resetPasswordInput)
    .mutation(({ ctx: { db, redis, ip }, input }) => resetPassword({ db, redis, ip, ...input })),
});
