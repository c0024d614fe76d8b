// Factories for integration tests: users, and workspaces with a member of each role asked for.
import { randomBytes } from "node:crypto";
import { type Actor, createWorkspace, type Db, hashPassword, type Role } from "@tributary/core";
import { scoped } from "@tributary/db";

export const TEST_PASSWORD = "Tributary test password 2026!";

// Hashing costs ~130 ms on purpose; tests share one hash of the test password.
let passwordHash: Promise<string> | undefined;

export type SeededUser = { id: string; email: string; actor: Actor };

/** Verified unless `verified: false`: most tests are about what a verified account may do. */
export async function seedUser({
  db,
  email,
  verified = true,
}: {
  db: Db;
  email?: string;
  verified?: boolean;
}): Promise<SeededUser> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const address = email ?? `user-${randomBytes(6).toString("hex")}@example.com`;
  const user = await db.user.create({
    data: { email: address, passwordHash: await passwordHash, emailVerifiedAt: verified ? new Date() : null },
    select: { id: true, email: true },
  });
  return { ...user, actor: { userId: user.id, email: user.email, ip: "127.0.0.1" } };
}

export type SeededWorkspace = {
  workspace: { id: string; slug: string; name: string };
  owner: SeededUser;
  /** One member per role asked for (the owner above is separate). */
  members: Partial<Record<Role, SeededUser>>;
};

export async function seedWorkspace({
  db,
  roles = [],
  name,
}: {
  db: Db;
  roles?: Role[];
  name?: string;
}): Promise<SeededWorkspace> {
  const owner = await seedUser({ db });
  const workspace = await createWorkspace({
    db,
    actor: owner.actor,
    name: name ?? `Workspace ${randomBytes(3).toString("hex")}`,
  });
  const members: Partial<Record<Role, SeededUser>> = {};
  for (const role of roles) {
    const user = await seedUser({ db });
    await scoped(db, { workspaceId: workspace.id }, (tx) =>
      tx.membership.create({ data: { workspaceId: workspace.id, userId: user.id, role } }),
    );
    members[role] = user;
  }
  return { workspace, owner, members };
}
