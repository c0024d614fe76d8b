// One guarded HTTP client (and its connection pool) per outbound policy, shared by every run with that policy.
// A workspace reaches public hosts and the private ones it allows; a demo reaches only the sample API.
import { createGuardedHttpClient, type GuardedHttpClient } from "@tributary/connectors";
import { DEMO_PLAN } from "@tributary/core";

export function createHttpClients({ demoApiHost }: { demoApiHost: string }) {
  const clients = new Map<string, GuardedHttpClient>();
  function forPolicy({ allowHosts, allowOnlyHosts }: { allowHosts: string[]; allowOnlyHosts?: string[] }) {
    const key = JSON.stringify([allowHosts, allowOnlyHosts ?? null]);
    let client = clients.get(key);
    if (!client) {
      client = createGuardedHttpClient({ allowHosts, ...(allowOnlyHosts ? { allowOnlyHosts } : {}) });
      clients.set(key, client);
    }
    return client;
  }
  return {
    forWorkspace({ planId, allowedHosts }: { planId: string; allowedHosts: string[] }): GuardedHttpClient {
      return planId === DEMO_PLAN
        ? forPolicy({ allowHosts: [demoApiHost], allowOnlyHosts: [demoApiHost] })
        : forPolicy({ allowHosts: allowedHosts });
    },
    async close() {
      await Promise.all([...clients.values()].map((client) => client.close()));
    },
  };
}
