import { acceptInvite } from "@tributary/core";
import { z } from "zod";
import { router, userProcedure, verificationOf } from "../trpc.ts";

export const invitesRouter = router({
  accept: userProcedure
    .input(z.object({ token: z.string().max(200) }))
    .mutation(({ ctx, input }) =>
      acceptInvite({ db: ctx.db, actor: ctx.actor, token: input.token, verification: verificationOf(ctx) }),
    ),
});
