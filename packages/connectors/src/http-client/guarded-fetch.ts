// A Fetch API function behind the same guard as the guarded HTTP client, for libraries that take a `fetch`
// (openid-client's customFetch): every socket it opens is checked after DNS resolution, redirects included.
import { Agent, fetch as undiciFetch } from "undici";
import { type AddressPolicy, createAddressPolicy } from "./address-policy.ts";
import { guardedConnector, type Lookup } from "./guarded-connector.ts";

export type GuardedFetch = (url: string, init: RequestInit) => Promise<Response>;

export function createGuardedFetch({
  allowHosts,
  connectTimeoutMs = 10_000,
  lookup,
}: Pick<AddressPolicy, "allowHosts"> & { connectTimeoutMs?: number; lookup?: Lookup }): GuardedFetch {
  const policy = createAddressPolicy({ ...(allowHosts ? { allowHosts } : {}) });
  const dispatcher = new Agent({
    connect: guardedConnector({ policy, connectTimeoutMs, ...(lookup ? { lookup } : {}) }),
    keepAliveTimeout: 5_000,
  });
  // undici's Response and RequestInit are the platform's in all but their type names.
  return (url, init) =>
    undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher }) as unknown as Promise<Response>;
}
