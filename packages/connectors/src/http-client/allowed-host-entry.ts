// What an allowed-hosts entry may be, checked where people type it (workspace settings, OUTBOUND_ALLOWED_HOSTS):
// a host name (api.internal, *.corp.example), host:port, an IP address or a CIDR range. A port is accepted and
// kept for the reader, but the guard matches on host and address only: allowing a host allows its every port.
import ipaddr from "ipaddr.js";

const HOST_NAME = /^(\*\.)?(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** Why `entry` is not a usable allowed host, or null when it is. */
export function allowedHostEntryProblem(entry: string): string | null {
  const value = entry.trim();
  if (!value) return "An allowed host cannot be empty.";
  if (value.includes("://")) return `"${value}" is a URL; write only its host (and port), like db.internal:5432.`;
  if (value.includes("/")) {
    try {
      const [address, bits] = ipaddr.parseCIDR(value);
      if (bits === 0) return `"${value}" would allow every address; name the range you mean.`;
      if (address.kind() === "ipv4" && bits < 8) return `"${value}" is too wide; use a prefix of /8 or longer.`;
      return null;
    } catch {
      return `"${value}" is not a CIDR range; write it as an address and a prefix length, like 10.0.0.0/8.`;
    }
  }
  if (ipaddr.isValid(value) && (value.includes(":") || ipaddr.IPv4.isValidFourPartDecimal(value))) return null;
  const { host, port } = splitPort(value);
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    return `"${value}" has no valid port; a port is a number from 1 to 65535.`;
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(host) || (host.startsWith("[") && ipaddr.IPv6.isValid(host.slice(1, -1)))) {
    return null;
  }
  if (/^[\d.]+$/.test(host)) return `"${value}" is not an IP address: each of its four parts must be 0 to 255.`;
  if (!HOST_NAME.test(host)) {
    return `"${value}" is not a host name, IP address or CIDR range (examples: db.internal, *.corp.example, db.internal:5432, 10.1.2.3, 10.0.0.0/8).`;
  }
  return null;
}

/** The host part of an entry, without its port and IPv6 brackets: what the guard matches. */
export function allowedHostPattern(entry: string): string {
  const value = entry.trim();
  if (value.includes("/") || (ipaddr.isValid(value) && value.includes(":"))) return value;
  return splitPort(value).host.replace(/^\[|\]$/g, "");
}

function splitPort(value: string): { host: string; port?: string } {
  const bracketed = /^(\[[^\]]+\])(?::(.*))?$/.exec(value);
  if (bracketed) return { host: bracketed[1] as string, ...(bracketed[2] !== undefined ? { port: bracketed[2] } : {}) };
  const colon = value.lastIndexOf(":");
  if (colon === -1) return { host: value };
  return { host: value.slice(0, colon), port: value.slice(colon + 1) };
}
