import { type Db, type SecretBox, scoped } from "@tributary/db";
import { secretContext } from "./secret-names.ts";

/** Every secret of a workspace, opened: for the worker to resolve {{ $secrets.NAME }} and to redact values. */
export async function loadWorkspaceSecrets({
  db,
  secretBox,
  workspaceId,
}: {
  db: Db;
  secretBox: SecretBox;
  workspaceId: string;
}): Promise<Record<string, string>> {
  const rows = await scoped(db, { workspaceId }, (tx) =>
    tx.secret.findMany({ where: { workspaceId }, select: { name: true, ciphertext: true } }),
  );
  return Object.fromEntries(
    rows.map((row) => [row.name, secretBox.open(row.ciphertext, secretContext({ workspaceId, name: row.name }))]),
  );
}
