// A Redis server of a test's own, for tests that stop and restart Redis without touching the shared one.
import { type ChildProcess, spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { stopChild, trackChild } from "./child-registry.ts";
import { freePort } from "./free-port.ts";

const START_TIMEOUT_MS = 30_000;

export type PrivateRedis = { url: string; stop(): Promise<void>; start(): Promise<void> };

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  async function start() {
    child = trackChild(
      spawn(
        process.env.REDIS_SERVER_PATH ?? "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        { stdio: "ignore" },
      ),
    );
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => {});
    try {
      const deadline = Date.now() + START_TIMEOUT_MS;
      while (Date.now() < deadline) {
        if (
          await probe.connect().then(
            () => probe.ping(),
            () => null,
          )
        )
          return;
        await sleep(50);
      }
      await stop();
      throw new Error(`redis-server did not start on port ${port}`);
    } finally {
      probe.disconnect();
    }
  }

  async function stop() {
    // SIGKILL: an outage, not a shutdown.
    if (child) await stopChild(child, { signal: "SIGKILL" });
  }

  await start();
  return { url, start, stop };
}
