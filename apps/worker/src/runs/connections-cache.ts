// Connections opened (their secret fields unsealed) at most once every few seconds per connection, shared by
// every run in this worker, instead of once per run: a busy flow would otherwise queue a database transaction
// per run just to read the same row. A changed connection is seen within `ttlMs`.
import { type Db, loadConnection, type OpenedConnection, type SecretBox } from "@tributary/core";

export function createConnectionsCache({
  db,
  secretBox,
  ttlMs = 5_000,
  capacity = 1_000,
}: {
  db: Db;
  secretBox: SecretBox;
  ttlMs?: number;
  capacity?: number;
}) {
  const cache = new Map<string, { at: number; connection: Promise<OpenedConnection> }>();
  return function connectionOf({
    workspaceId,
    connectionId,
  }: {
    workspaceId: string;
    connectionId: string;
  }): Promise<OpenedConnection> {
    const key = `${workspaceId}:${connectionId}`;
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < ttlMs) return hit.connection;
    const connection = loadConnection({ db, secretBox, workspaceId, connectionId });
    // A failed load is not kept.
    connection.catch(() => cache.delete(key));
    if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
    cache.set(key, { at: Date.now(), connection });
    return connection;
  };
}
