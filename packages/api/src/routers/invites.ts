import { acceptInvite } from "@tributary/core";
import { z } from "zod";
import { router, userProcedure } from "../trpc.ts";

export const invitesRouter = router({
  accept: userProcedure
    .input(z.object({ token: z.string().max(200) }))
    .mutation(({ ctx: { db, actor }, input }) => acceptInvite({ db, actor, token: input.token })),
});
