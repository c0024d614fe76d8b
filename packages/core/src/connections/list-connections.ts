import { CONNECTION_TYPES } from "@tributary/connectors";
import { type Db, scoped } from "@tributary/db";

export type ConnectionSummary = {
  id: string;
  name: string;
  type: string;
  config: Record<string, unknown>;
  /** Which secret fields have a saved value (values are never sent back). */
  secretFieldsSet: string[];
  lastCheckedAt: Date | null;
  lastCheckOk: boolean | null;
  lastCheckNote: string | null;
};

export async function listConnections({
  db,
  workspaceId,
}: {
  db: Db;
  workspaceId: string;
}): Promise<ConnectionSummary[]> {
  const rows = await scoped(db, { workspaceId }, (tx) =>
    tx.connection.findMany({ where: { workspaceId }, orderBy: { name: "asc" } }),
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    type: row.type,
    config: row.config as Record<string, unknown>,
    secretFieldsSet: row.secretConfig ? [...(CONNECTION_TYPES.get(row.type)?.secretFields ?? [])] : [],
    lastCheckedAt: row.lastCheckedAt,
    lastCheckOk: row.lastCheckOk,
    lastCheckNote: row.lastCheckNote,
  }));
}
