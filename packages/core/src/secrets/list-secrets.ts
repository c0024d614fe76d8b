import { type Db, scoped } from "@tributary/db";

export type SecretSummary = { name: string; updatedAt: Date };

/** Names only: values never leave the server once saved. */
export async function listSecrets({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<SecretSummary[]> {
  return scoped(db, { workspaceId }, (tx) =>
    tx.secret.findMany({ where: { workspaceId }, select: { name: true, updatedAt: true }, orderBy: { name: "asc" } }),
  );
}
