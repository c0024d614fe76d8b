// One guarded HTTP client (and its connection pool) per outbound policy, shared by every run with that policy.
// A workspace reaches public hosts, the private ones it allows and those the operator allows every workspace
// (OUTBOUND_ALLOWED_HOSTS); a demo reaches only the sample API. Runs read their workspace's allowed hosts as
// they start, so a change applies to the next run without a restart.
import { type AddressPolicy, createGuardedHttpClient, type GuardedHttpClient } from "@tributary/connectors";
import { outboundPolicy } from "@tributary/core";

export function createHttpClients({
  demoApiUrl,
  operatorAllowedHosts = [],
}: {
  demoApiUrl: string;
  operatorAllowedHosts?: readonly string[];
}) {
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
      return forPolicy(outboundPolicy({ planId, allowedHosts, demoApiUrl, operatorAllowedHosts }));
    },
    async close() {
      await Promise.all([...clients.values()].map((client) => client.close()));
    },
  };
}
