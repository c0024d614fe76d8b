import { type Db, Prisma } from "@tributary/db";
import type { Redis } from "ioredis";
import { z } from "zod";
import { AppError } from "../errors/app-error.ts";
import { createWorkspace, type WorkspaceSummary } from "../workspaces/create-workspace.ts";
import { emailSchema } from "./email.ts";
import { hashPassword } from "./password-hash.ts";
import { assertStrongPassword } from "./password-policy.ts";

export const signUpInput = z.object({
  email: emailSchema,
  password: z.string(),
  name: z.string().trim().max(80).optional(),
});

// Sign-ups per IP and hour: enough for a team behind one NAT, too few to farm accounts or probe emails.
const SIGN_UPS_PER_IP_HOUR = 20;

/** Creates an account and its first workspace, owned by the new user. */
export async function signUp({
  db,
  redis,
  ip,
  email,
  password,
  name,
  perIpHour = SIGN_UPS_PER_IP_HOUR,
}: {
  db: Db;
  redis: Redis;
  ip: string;
  /** Accounts one IP address may create an hour. */
  perIpHour?: number;
} & z.output<typeof signUpInput>): Promise<{
  user: { id: string; email: string };
  workspace: WorkspaceSummary;
}> {
  const key = `auth:signups:${ip}`;
  const [[, count] = []] = (await redis.multi().incr(key).expire(key, 3600, "NX").exec()) ?? [];
  if (Number(count) > perIpHour) {
    throw new AppError("TOO_MANY_REQUESTS", "Too many sign-ups from your network. Try again in an hour.", {
      retryAfterSeconds: await redis.ttl(key),
    });
  }
  await assertStrongPassword({ password, email });
  const passwordHash = await hashPassword(password);
  let user: { id: string; email: string };
  try {
    user = await db.user.create({
      data: { email, passwordHash, name: name || null },
      select: { id: true, email: true },
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("CONFLICT", "An account with this email already exists. Sign in instead.", {
        field: "email",
      });
    }
    throw error;
  }
  const workspace = await createWorkspace({
    db,
    actor: { userId: user.id, email: user.email, ip },
    name: name ? `${name}'s workspace` : `${email.split("@")[0]}'s workspace`,
  });
  return { user, workspace };
}
