import { type Db, type SecretBox, scoped } from "@tributary/db";
import { notFound } from "../errors/app-error.ts";
import { openSecrets } from "./connection-secrets.ts";

export type OpenedConnection = { id: string; name: string; type: string; config: Record<string, unknown> };

/** A connection with its secret fields opened, for the worker and the connection test only. */
export async function loadConnection({
  db,
  secretBox,
  workspaceId,
  connectionId,
}: {
  db: Db;
  secretBox: SecretBox;
  workspaceId: string;
  connectionId: string;
}): Promise<OpenedConnection> {
  const row = await scoped(db, { workspaceId }, (tx) =>
    tx.connection.findFirst({ where: { id: connectionId, workspaceId } }),
  );
  if (!row) throw notFound("That connection");
  const secrets = openSecrets({
    secretBox,
    envelope: row.secretConfig,
    workspaceId,
    connectionId,
    name: `the connection "${row.name}"`,
  });
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    config: { ...(row.config as Record<string, unknown>), ...secrets },
  };
}
