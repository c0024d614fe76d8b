// The caller's IP, as server.ts determined it from the socket (and trusted proxies). Any value a client sends
// in this header is overwritten there, so it cannot be spoofed.
export const CLIENT_IP_HEADER = "x-tributary-client-ip";

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

export function clientIp(headers: HeaderSource): string {
  const value = headers instanceof Headers ? headers.get(CLIENT_IP_HEADER) : headers[CLIENT_IP_HEADER];
  return (Array.isArray(value) ? value[0] : value) ?? "unknown";
}
