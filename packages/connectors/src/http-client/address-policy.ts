// Which hosts and addresses outbound calls may reach. By default: any public address, never a private,
// loopback, link-local (cloud metadata included) or otherwise special one, in any of its spellings. A
// workspace may allow named hosts, IPs or CIDR ranges; the demo plan may allow only a list of URL prefixes
// (scheme, host, port and path), and then no other socket at all.
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import { allowedHostPattern } from "./allowed-host-entry.ts";

export type AddressPolicy = {
  /** Hosts (exact or "*.example.com", a port ignored), IPs or CIDRs that may be reached even when private. */
  allowHosts?: readonly string[];
  /**
   * When set, only URLs under these prefixes (same scheme, host and port; the path equal to the prefix's or
   * below it) may be called, whatever their address, and no socket other than HTTP may be opened.
   */
  allowOnlyUrls?: readonly string[];
};

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

function hostMatches(host: string, patterns: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  return patterns.some((pattern) => {
    const p = pattern.toLowerCase().trim();
    if (p.startsWith("*.")) return name.endsWith(p.slice(1)) && name.length > p.length - 1;
    return p === name;
  });
}

function rangesOf(patterns: readonly string[]): Range[] {
  const ranges: Range[] = [];
  for (const pattern of patterns) {
    try {
      if (pattern.includes("/")) ranges.push(ipaddr.parseCIDR(pattern.trim()));
      else if (ipaddr.isValid(pattern.trim())) {
        const address = ipaddr.parse(pattern.trim());
        ranges.push([address, address.kind() === "ipv4" ? 32 : 128]);
      }
    } catch {
      // Not an address: a host name pattern.
    }
  }
  return ranges;
}

/** An IPv6 address that embeds an IPv4 one (mapped, NAT64, 6to4, Teredo…), as that IPv4 address. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  if (address.isIPv4MappedAddress()) return address.toIPv4Address();
  const range = address.range();
  const bytes = address.toByteArray();
  if (range === "rfc6052" || range === "rfc6145") return ipaddr.fromByteArray(bytes.slice(12)) as ipaddr.IPv4;
  if (range === "6to4") return ipaddr.fromByteArray(bytes.slice(2, 6)) as ipaddr.IPv4;
  if (range === "teredo") return ipaddr.fromByteArray(bytes.slice(12).map((b) => b ^ 0xff)) as ipaddr.IPv4;
  // ::a.b.c.d, the deprecated IPv4-compatible form.
  if (bytes.slice(0, 12).every((b) => b === 0) && !(bytes[15] === 1 && bytes.slice(12, 15).every((b) => b === 0))) {
    return ipaddr.fromByteArray(bytes.slice(12)) as ipaddr.IPv4;
  }
  return null;
}

/** Why an address is not public ("loopback", "private"…), or null when it is. */
export function specialRange(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return "unparsable";
  }
  if (parsed.kind() === "ipv6") {
    const v4 = embeddedIPv4(parsed as ipaddr.IPv6);
    if (v4) return specialRange(v4.toString());
  }
  const range = parsed.range();
  return range === "unicast" ? null : range;
}

export type PolicyCheck = { allowed: true } | { allowed: false; reason: string };

type UrlPrefix = { origin: string; hostname: string; path: string };

function prefixesOf(urls: readonly string[]): UrlPrefix[] {
  return urls.map((raw) => {
    const url = new URL(raw);
    return { origin: url.origin, hostname: bareHost(url.hostname), path: url.pathname.replace(/\/+$/, "") };
  });
}

function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, "").toLowerCase();
}

// A server may decode these into separators or dot segments after our check ("/api/demo/..%2Fhooks").
const ENCODED_SEPARATORS = /%2f|%5c|%2e/i;

function underPrefix(url: URL, prefix: UrlPrefix): boolean {
  if (url.origin !== prefix.origin || ENCODED_SEPARATORS.test(url.pathname)) return false;
  return url.pathname === prefix.path || url.pathname.startsWith(`${prefix.path}/`);
}

export function createAddressPolicy({ allowHosts: entries = [], allowOnlyUrls }: AddressPolicy) {
  const allowHosts = entries.map(allowedHostPattern);
  const onlyPrefixes = allowOnlyUrls ? prefixesOf(allowOnlyUrls) : null;
  const onlyHosts = onlyPrefixes?.map((prefix) => prefix.hostname) ?? null;
  const allowedRanges = rangesOf(allowHosts);
  const allowedNames = allowHosts.filter((h) => !ipaddr.isValid(h.trim()) && !h.includes("/"));

  const addressAllowed = (address: string): boolean =>
    allowedRanges.some(([network, bits]) => {
      try {
        const parsed = ipaddr.process(address);
        return parsed.kind() === network.kind() && parsed.match(network, bits);
      } catch {
        return false;
      }
    });

  const onlyUrlsRefusal = (target: string): PolicyCheck => ({
    allowed: false,
    reason: `Outbound calls to ${target} are refused: this workspace's plan may call only ${allowOnlyUrls?.join(", ") || "nothing"}. Sign up (or move to another plan) to call other addresses.`,
  });

  return {
    /** Before each HTTP call and each redirect: may this URL be called at all? */
    checkUrl(url: URL): PolicyCheck {
      if (onlyPrefixes && !onlyPrefixes.some((prefix) => underPrefix(url, prefix))) {
        return onlyUrlsRefusal(`${url.origin}${url.pathname}`);
      }
      return { allowed: true };
    },
    /** Before resolving a name for a socket other than HTTP (databases, brokers, mail, files). */
    checkSocketHost(host: string): PolicyCheck {
      return onlyPrefixes ? onlyUrlsRefusal(host) : { allowed: true };
    },
    /** After resolving (or for an IP literal): may we connect to this address for this host? */
    checkAddress(host: string, address: string): PolicyCheck {
      if (onlyHosts) return onlyHosts.includes(bareHost(host)) ? { allowed: true } : onlyUrlsRefusal(host);
      if (hostMatches(host, allowedNames) || addressAllowed(address)) return { allowed: true };
      const range = specialRange(address);
      if (!range) return { allowed: true };
      const shown = isIP(host) ? address : `${host} (${address})`;
      return {
        allowed: false,
        reason: `Outbound calls to ${shown} are refused: it is a ${range} address. If this host is yours, add it to the workspace's allowed hosts (Settings → Allowed hosts, or PUT /api/v1/allowed-hosts), or ask the operator to list it in OUTBOUND_ALLOWED_HOSTS.`,
      };
    },
  };
}

export type CompiledAddressPolicy = ReturnType<typeof createAddressPolicy>;
