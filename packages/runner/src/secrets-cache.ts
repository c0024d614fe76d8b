// A workspace's secrets, opened once per change (the workspace's secrets version tells when they changed),
// instead of once per run. A secret that cannot be opened (altered, or sealed with a key this worker does not
// have) fails only the steps that read it, with why and what to do; every other run goes on.
import { StepFailure } from "@tributary/connectors";
import { type Db, openWorkspaceSecrets, type SecretBox } from "@tributary/core";

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
    const secrets = openWorkspaceSecrets({ db, secretBox, workspaceId }).then(readableSecrets);
    // A failed load is not kept.
    secrets.catch(() => cache.delete(workspaceId));
    if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
    cache.set(workspaceId, { version, secrets });
    return secrets;
  };
}

/**
 * The secrets by name. An unreadable one is there too, but not enumerable, and reading it throws: expressions
 * ({{ $secrets.NAME }}) and code steps that use it fail with the reason, while listing the values (to redact
 * them) passes it by.
 */
function readableSecrets({
  values,
  unreadable,
}: Awaited<ReturnType<typeof openWorkspaceSecrets>>): Record<string, string> {
  const secrets = { ...values };
  for (const [name, reason] of Object.entries(unreadable)) {
    Object.defineProperty(secrets, name, {
      enumerable: false,
      get() {
        throw new StepFailure(
          `The secret ${name} cannot be opened: ${reason} Save its value again on the Secrets page, or give the worker the key it was sealed with (ENCRYPTION_PREVIOUS_KEYS).`,
          { code: "secret_unreadable" },
        );
      },
    });
  }
  return secrets;
}
