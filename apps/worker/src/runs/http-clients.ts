// One guarded HTTP client (and its connection pool) per outbound policy, shared by every run with that policy.
import { createGuardedHttpClient, type GuardedHttpClient } from "@tributary/connectors";

export function createHttpClients() {
  const clients = new Map<string, GuardedHttpClient>();
  return {
    forPolicy({ allowHosts, allowOnlyHosts }: { allowHosts: string[]; allowOnlyHosts?: string[] }): GuardedHttpClient {
      const key = JSON.stringify([allowHosts, allowOnlyHosts ?? null]);
      let client = clients.get(key);
      if (!client) {
        client = createGuardedHttpClient({ allowHosts, ...(allowOnlyHosts ? { allowOnlyHosts } : {}) });
        clients.set(key, client);
      }
      return client;
    },
    async close() {
      await Promise.all([...clients.values()].map((client) => client.close()));
    },
  };
}
