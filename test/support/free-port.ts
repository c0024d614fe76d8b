import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/** A TCP port that was free a moment ago, for a server a test starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** Where the kernel picks the local ports of outgoing connections (Linux's default when it cannot be read). */
function ephemeralPortsStart(): number {
  try {
    return Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]) || 32_768;
  } catch {
    return 32_768;
  }
}

/**
 * `count` consecutive TCP ports that were free a moment ago, as "LOW-HIGH", for a worker's LISTENER_PORTS. They
 * are below the ephemeral range, so no outgoing connection of a busy test run takes one before it is bound.
 */
export async function freePortRange(count: number): Promise<{ low: number; high: number; text: string }> {
  const isFree = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
  for (let tries = 0; tries < 50; tries++) {
    const low = 10_000 + Math.floor(Math.random() * (ephemeralPortsStart() - 10_000 - count));
    let free = true;
    for (let port = low; port < low + count && free; port++) free = await isFree(port);
    if (free) return { low, high: low + count - 1, text: `${low}-${low + count - 1}` };
  }
  throw new Error(`No ${count} consecutive free ports found.`);
}
