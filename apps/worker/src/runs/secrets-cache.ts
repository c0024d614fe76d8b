// A workspace's secrets, opened once per change (the workspace's secrets version tells when they changed),
// instead of once per run.
import { type Db, loadWorkspaceSecrets, type SecretBox } from "@tributary/core";

export function createSecretsCache({
  db,
  secretBox,
  capacity = 1_000,
}: {
  db: Db;
  secretBox: SecretBox;
  capacity?: number;
}) {
  const cache = new Map<string, { version: number; secrets: Promise<Record<string, string>> }>();
  return function secretsOf({
    workspaceId,
    version,
  }: {
    workspaceId: string;
    version: number;
  }): Promise<Record<string, string>> {
    const hit = cache.get(workspaceId);
    if (hit && hit.version === version) return hit.secrets;
    const secrets = loadWorkspaceSecrets({ db, secretBox, workspaceId });
    // A failed load is not kept.
    secrets.catch(() => cache.delete(workspaceId));
    if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
    cache.set(workspaceId, { version, secrets });
    return secrets;
  };
}
