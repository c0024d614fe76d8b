// Starts the real app for browser tests: the built web server and a worker, on their own database and Redis
// prefix, and waits until /api/health answers.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
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

export async function startApp({
  databaseUrl,
  logDir,
  env: extra = {},
}: {
  databaseUrl: string;
  logDir: string;
  env?: Record<string, string>;
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
  const children: ChildProcess[] = [
    ["web", "apps/web/server.ts"],
    ["worker", "apps/worker/src/main.ts"],
  ].map(([name, entry]) => {
    const child = spawn(process.execPath, [entry as string], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    const log = createWriteStream(join(logDir, `${name}.log`));
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    return child;
  });
  const baseUrl = `http://localhost:${port}`;
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      ),
    );
  };
  for (let attempt = 0; attempt < 120; attempt++) {
    if (children.some((child) => child.exitCode !== null)) break;
    const healthy = await fetch(`${baseUrl}/api/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) {
      const [web, worker] = children.map((child) => child.pid ?? 0) as [number, number];
      return { baseUrl, redisPrefix, pids: { web, worker }, stop };
    }
    await sleep(250);
  }
  await stop();
  throw new Error(`The app did not become healthy; see the logs in ${logDir}.`);
}
