import type { Db } from "@tributary/db";
import { z } from "zod";
import { AppError } from "../errors/app-error.ts";
import { hashPassword, verifyPassword } from "./password-hash.ts";
import { assertStrongPassword } from "./password-policy.ts";

export const changePasswordInput = z.object({ currentPassword: z.string(), newPassword: z.string() });

/** Changes the password and revokes every session of the user, this one included. */
export async function changePassword({
  db,
  userId,
  currentPassword,
  newPassword,
}: { db: Db; userId: string } & z.output<typeof changePasswordInput>): Promise<void> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, passwordHash: true } });
  if (!(await verifyPassword({ hash: user.passwordHash, password: currentPassword }))) {
    throw new AppError("BAD_REQUEST", "The current password is not correct.", { field: "currentPassword" });
  }
  await assertStrongPassword({ password: newPassword, email: user.email });
  await db.user.update({
    where: { id: userId },
    data: { passwordHash: await hashPassword(newPassword), sessionVersion: { increment: 1 } },
  });
}
