import { previewInvite, signUp, signUpInput } from "@tributary/core";
import { z } from "zod";
import { publicProcedure, router } from "../trpc.ts";

/** Before sign-in: create an account, look at an invite. Sign-in itself is next-auth's credentials flow. */
export const authRouter = router({
  signUp: publicProcedure.input(signUpInput).mutation(async ({ ctx: { db, redis, ip }, input }) => {
    const { workspace } = await signUp({ db, redis, ip, ...input });
    return { workspaceSlug: workspace.slug };
  }),

  previewInvite: publicProcedure
    .input(z.object({ token: z.string().max(200) }))
    .query(({ ctx: { db }, input }) => previewInvite({ db, token: input.token })),
});
