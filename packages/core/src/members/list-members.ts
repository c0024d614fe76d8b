import { type Db, type Role, scoped } from "@tributary/db";

export type MemberView = { userId: string; email: string; name: string | null; role: Role; joinedAt: Date };

export async function listMembers({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<MemberView[]> {
  const rows = await scoped(db, { workspaceId }, (tx) =>
    tx.membership.findMany({
      where: { workspaceId },
      select: { role: true, createdAt: true, user: { select: { id: true, email: true, name: true } } },
      orderBy: [{ createdAt: "asc" }],
    }),
  );
  return rows.map(({ role, createdAt, user }) => ({
    userId: user.id,
    email: user.email,
    name: user.name,
    role,
    joinedAt: createdAt,
  }));
}
