// One guarded HTTP client (and its connection pool) per outbound policy, shared by every run with that policy.
// A workspace reaches public hosts and the private ones it allows; a demo reaches only the sample API.
import { type AddressPolicy, createGuardedHttpClient, type GuardedHttpClient } from "@tributary/connectors";
import { outboundPolicy } from "@tributary/core";

export function createHttpClients({ demoApiUrl }: { demoApiUrl: string }) {
  const clients = new Map<string, GuardedHttpClient>();
  function forPolicy(policy: AddressPolicy) {
    const key = JSON.stringify([policy.allowHosts ?? null, policy.allowOnlyUrls ?? null]);
    let client = clients.get(key);
    if (!client) {
      client = createGuardedHttpClient(policy);
      clients.set(key, client);
    }
    return client;
  }
  return {
    forWorkspace({ planId, allowedHosts }: { planId: string; allowedHosts: string[] }): GuardedHttpClient {
      return forPolicy(outboundPolicy({ planId, allowedHosts, demoApiUrl }));
    },
    async close() {
      await Promise.all([...clients.values()].map((client) => client.close()));
    },
  };
}
