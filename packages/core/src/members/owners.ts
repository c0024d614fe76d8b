import type { Tx } from "@tributary/db";

/**
 * The workspace's owners, locked until the transaction ends, so two concurrent demotions cannot leave a
 * workspace without an owner.
 */
export async function lockOwners({ tx, workspaceId }: { tx: Tx; workspaceId: string }): Promise<string[]> {
  const rows = await tx.$queryRaw<{ user_id: string }[]>`
    SELECT user_id::text FROM memberships WHERE workspace_id = ${workspaceId}::uuid AND role = 'owner' FOR UPDATE`;
  return rows.map((row) => row.user_id);
}
