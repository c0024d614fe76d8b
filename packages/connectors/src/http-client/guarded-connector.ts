// The guard sits where the socket is made: names are resolved here, every resolved address is checked, and
// the socket connects to the address that was checked, so a DNS answer cannot change between check and use
// (DNS rebinding). IP literals, which Node connects to without a lookup, are checked the same way.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { buildConnector } from "undici";
import type { CompiledAddressPolicy } from "./address-policy.ts";
import { OutboundBlockedError, OutboundConnectionError } from "./errors.ts";

export type Lookup = (hostname: string, callback: (error: Error | null, addresses: LookupAddress[]) => void) => void;

const systemLookup: Lookup = (hostname, callback) => dnsLookup(hostname, { all: true }, callback);

/** Resolves a name and checks every address it has: one refused address refuses the host. */
function checkedLookup(
  { policy, lookup, hostname }: { policy: CompiledAddressPolicy; lookup: Lookup; hostname: string },
  callback: (error: Error | null, addresses: LookupAddress[]) => void,
): void {
  lookup(hostname, (error, addresses) => {
    if (error || addresses.length === 0) {
      const cause = error && "code" in error ? (error as NodeJS.ErrnoException).code : "no address";
      callback(
        new OutboundConnectionError(`Could not resolve ${hostname} (${cause}).`, { transient: cause === "EAI_AGAIN" }),
        [],
      );
      return;
    }
    for (const { address } of addresses) {
      const check = policy.checkAddress(hostname, address);
      if (!check.allowed) return callback(new OutboundBlockedError(check.reason), []);
    }
    callback(null, addresses);
  });
}

/**
 * The address a socket to `host` may connect to, checked as an HTTP call's would be: for protocols other than
 * HTTP (databases, brokers, mail), which then connect to this address and never resolve the name again.
 */
export function resolveGuarded({
  policy,
  host,
  lookup = systemLookup,
}: {
  policy: CompiledAddressPolicy;
  host: string;
  lookup?: Lookup;
}): Promise<string> {
  const bare = host.replace(/^\[|\]$/g, "");
  const hostCheck = policy.checkSocketHost(bare);
  if (!hostCheck.allowed) return Promise.reject(new OutboundBlockedError(hostCheck.reason));
  if (isIP(bare)) {
    const check = policy.checkAddress(bare, bare);
    return check.allowed ? Promise.resolve(bare) : Promise.reject(new OutboundBlockedError(check.reason));
  }
  return new Promise((resolve, reject) => {
    checkedLookup({ policy, lookup, hostname: bare }, (error, addresses) => {
      if (error) reject(error);
      else resolve((addresses.find((a) => a.family === 4) ?? addresses[0])?.address as string);
    });
  });
}

export function guardedConnector({
  policy,
  connectTimeoutMs,
  lookup = systemLookup,
}: {
  policy: CompiledAddressPolicy;
  connectTimeoutMs: number;
  lookup?: Lookup;
}): buildConnector.connector {
  const guardedLookup: LookupFunction = (hostname, options, callback) => {
    checkedLookup({ policy, lookup, hostname }, (error, addresses) => {
      if (error) return callback(error, "", 0);
      const wanted = options.family === 6 ? 6 : options.family === 4 ? 4 : 0;
      const usable = wanted ? addresses.filter((a) => a.family === wanted) : addresses;
      if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      else callback(null, usable[0]?.address ?? "", usable[0]?.family ?? 4);
    });
  };
  const connect = buildConnector({ timeout: connectTimeoutMs, lookup: guardedLookup });
  return (options, callback) => {
    const host = options.hostname.replace(/^\[|\]$/g, "");
    if (isIP(host)) {
      const check = policy.checkAddress(host, host);
      if (!check.allowed) {
        callback(new OutboundBlockedError(check.reason), null);
        return;
      }
    }
    connect(options, callback);
  };
}
