// "Sign up to keep this workspace": the visitor becomes an account with an email and a password, and their
// demo workspaces become ordinary workspaces on the free plan, flows and runs included.
import { type Db, Prisma, scoped } from "@tributary/db";
import { z } from "zod";
import { emailSchema } from "../auth/email.ts";
import { hashPassword } from "../auth/password-hash.ts";
import { assertStrongPassword } from "../auth/password-policy.ts";
import { AppError } from "../errors/app-error.ts";

export const keepDemoInput = z.object({ email: emailSchema, password: z.string() });

export async function keepDemo({
  db,
  userId,
  email,
  password,
}: { db: Db; userId: string } & z.output<typeof keepDemoInput>): Promise<void> {
  const visitor = await db.user.findUnique({ where: { id: userId }, select: { isDemo: true } });
  if (!visitor?.isDemo) throw new AppError("BAD_REQUEST", "This account is not a demo visitor's.");
  await assertStrongPassword({ password, email });
  try {
    await db.user.update({
      where: { id: userId },
      data: { email, passwordHash: await hashPassword(password), isDemo: false },
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("CONFLICT", "An account with this email already exists. Sign in to it instead.", {
        field: "email",
      });
    }
    throw error;
  }
  const owned = await scoped(db, { userId }, (tx) =>
    tx.membership.findMany({
      where: { userId, role: "owner", workspace: { isDemo: true } },
      select: { workspaceId: true },
    }),
  );
  for (const { workspaceId } of owned) {
    await scoped(db, { workspaceId }, (tx) =>
      tx.workspace.update({ where: { id: workspaceId }, data: { isDemo: false, planId: "free", lastActiveAt: null } }),
    );
  }
}
