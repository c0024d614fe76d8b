// Starts the real app for browser tests: the built web server and a worker, on their own database and Redis
// prefix, and waits until /api/health answers (generously: a busy 2-core machine is slow to load Next). If it
// does not come up, what was started is stopped before the error is thrown.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ensureProcessBundles, PROCESS_BUNDLES } from "../../scripts/lib/build.ts";
import { PROCESS_NODE_FLAGS } from "../../scripts/lib/node-flags.ts";
import { stopChild, trackChild } from "./child-registry.ts";
import { freePort } from "./free-port.ts";
import { TEST_REDIS_URL } from "./services.ts";

const ROOT = resolve(import.meta.dirname, "../..");

export type RunningApp = {
  baseUrl: string;
  redisPrefix: string;
  /** Process ids, for benchmarks that watch memory. */
  pids: { web: number; worker: number };
  stop(): Promise<void>;
};

const START_TIMEOUT_MS = 120_000;

export async function startApp({
  databaseUrl,
  logDir,
  env: extra = {},
  worker = true,
}: {
  databaseUrl: string;
  logDir: string;
  /** Added to the app's environment; `undefined` leaves a variable out (APP_URL: the app uses each request's host). */
  env?: Record<string, string | undefined>;
  /** Without a worker: for tests of the web process alone. */
  worker?: boolean;
}): Promise<RunningApp> {
  const port = await freePort();
  const redisPrefix = `e2e:${randomBytes(4).toString("hex")}:`;
  const env = {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(port),
    APP_URL: `http://localhost:${port}`,
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    NEXT_TELEMETRY_DISABLED: "1",
    ...extra,
  };
  mkdirSync(logDir, { recursive: true });
  await ensureProcessBundles();
  const entries = [["web", PROCESS_BUNDLES.web.bundle], ...(worker ? [["worker", PROCESS_BUNDLES.worker.bundle]] : [])];
  const children: ChildProcess[] = entries.map(([name, entry]) => {
    const child = trackChild(
      spawn(process.execPath, [...PROCESS_NODE_FLAGS, entry as string], {
        cwd: ROOT,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    const log = createWriteStream(join(logDir, `${name}.log`));
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    return child;
  });
  const baseUrl = `http://localhost:${port}`;
  const stop = async () => {
    await Promise.all(children.map((child) => stopChild(child)));
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (children.some((child) => child.exitCode !== null)) break;
    const healthy = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(5_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) {
      const [web, workerPid] = children.map((child) => child.pid ?? 0) as [number, number | undefined];
      return { baseUrl, redisPrefix, pids: { web, worker: workerPid ?? 0 }, stop };
    }
    await sleep(250);
  }
  await stop();
  throw new Error(`The app did not become healthy; see the logs in ${logDir}.`);
}
