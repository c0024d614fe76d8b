import { type Db, type SecretBox, SecretBoxError, scoped } from "@tributary/db";
import { secretContext } from "./secret-names.ts";

/** A workspace's secrets, opened; those that cannot be opened are named with why, so only what uses them fails. */
export type OpenedSecrets = { values: Record<string, string>; unreadable: Record<string, string> };

/** Every secret of a workspace: for the worker to resolve {{ $secrets.NAME }} and to redact values. */
export async function openWorkspaceSecrets({
  db,
  secretBox,
  workspaceId,
}: {
  db: Db;
  secretBox: SecretBox;
  workspaceId: string;
}): Promise<OpenedSecrets> {
  const rows = await scoped(db, { workspaceId }, (tx) =>
    tx.secret.findMany({ where: { workspaceId }, select: { name: true, ciphertext: true } }),
  );
  const opened: OpenedSecrets = { values: {}, unreadable: {} };
  for (const row of rows) {
    try {
      opened.values[row.name] = secretBox.open(row.ciphertext, secretContext({ workspaceId, name: row.name }));
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      opened.unreadable[row.name] = error.message;
    }
  }
  return opened;
}
