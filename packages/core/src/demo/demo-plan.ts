// What sets a demo apart: its plan, and a visitor who has not signed up yet.
import type { Db } from "@tributary/db";
import { AppError } from "../errors/app-error.ts";

export const DEMO_PLAN = "demo";

/** Refuses what only accounts may do (create or join workspaces, invite people) to a demo visitor. */
export async function assertSignedUp({ db, userId, doing }: { db: Db; userId: string; doing: string }): Promise<void> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { isDemo: true } });
  if (user?.isDemo) {
    throw new AppError(
      "FORBIDDEN",
      `A demo session cannot ${doing}. Sign up to keep your demo workspace (the banner's "Sign up"), then try again.`,
    );
  }
}
