// Who is calling: the socket's address, or, behind `hops` trusted reverse proxies that each append to
// X-Forwarded-For, the address the outermost trusted proxy saw. Entries left of that are client-supplied
// and never trusted.
export function resolveClientIp({
  remoteAddress,
  forwardedFor,
  hops,
}: {
  remoteAddress: string | undefined;
  forwardedFor: string | string[] | undefined;
  hops: number;
}): string {
  const forwarded = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? ""))
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  const chain = [...forwarded, remoteAddress ?? "unknown"];
  const ip = chain[Math.max(0, chain.length - 1 - hops)] ?? "unknown";
  return ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice("::ffff:".length) : ip;
}
