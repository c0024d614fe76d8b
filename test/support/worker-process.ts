// Real worker processes for integration tests, on the test's own database and Redis prefix. A worker that
// does not start is killed before the error is thrown, and none outlives its test file (child-registry.ts).
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { ensureProcessBundles, PROCESS_BUNDLES } from "../../scripts/lib/build.ts";
import { PROCESS_NODE_FLAGS } from "../../scripts/lib/node-flags.ts";
import { stopChild, trackChild } from "./child-registry.ts";
import { TEST_REDIS_URL } from "./services.ts";

const ROOT = resolve(import.meta.dirname, "../..");

export const TEST_ENCRYPTION_KEY = randomBytes(32).toString("base64");

/** How long a worker may take to start: a busy 2-core CI machine can take long to load its modules. */
export const WORKER_START_TIMEOUT_MS = 90_000;

export type WorkerProcess = {
  child: ChildProcess;
  output: () => string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
};

export async function startWorker({
  databaseUrl,
  redisPrefix,
  env = {},
}: {
  databaseUrl: string;
  redisPrefix: string;
  env?: Record<string, string>;
}): Promise<WorkerProcess> {
  await ensureProcessBundles();
  const child = trackChild(
    spawn(process.execPath, [...PROCESS_NODE_FLAGS, PROCESS_BUNDLES.worker.bundle], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: "test",
        DATABASE_URL: databaseUrl,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: redisPrefix,
        ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        WORKER_LOCK_MS: "2000",
        SWEEP_EVERY_MS: "60000",
        LOG_LEVEL: "info",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const ready = await new Promise<boolean>((done) => {
    const timer = setTimeout(() => done(false), WORKER_START_TIMEOUT_MS);
    const check = () => {
      if (output.includes("worker ready")) {
        clearTimeout(timer);
        done(true);
      }
    };
    child.stdout?.on("data", check);
    void exited.then(() => {
      clearTimeout(timer);
      done(false);
    });
  });
  if (!ready) {
    // Not left running behind a failed test.
    child.kill("SIGKILL");
    await exited;
    throw new Error(`The worker did not start:\n${output}`);
  }
  return {
    child,
    output: () => output,
    exited,
    async stop(signal = "SIGTERM") {
      // SIGKILL after a grace period: a worker draining a stuck job must not hold up the test's clean-up.
      await stopChild(child, { signal, graceMs: 30_000 });
    },
  };
}

/**
 * Waits until the worker has logged `event` for the flow's subscription `count` times: started consuming (what
 * is sent now is its to take) or stopped (what is sent now stays at the source, or in the topic).
 */
export async function subscriptionLogged(
  worker: WorkerProcess,
  event: "consuming" | "stopped",
  flowId: string,
  { count = 1, timeoutMs = 60_000 }: { count?: number; timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const times = () =>
    worker
      .output()
      .split("\n")
      .filter((line) => line.includes(`subscription ${event}`) && line.includes(flowId)).length;
  while (times() < count) {
    if (Date.now() > deadline) throw new Error(`The subscription of ${flowId} was not ${event} ${count} time(s)`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Several workers at once. If one does not start, those that did are stopped before the error is thrown,
 * so a failed start-up leaves nothing running.
 */
export async function startWorkers(
  count: number,
  options: Parameters<typeof startWorker>[0],
): Promise<WorkerProcess[]> {
  const results = await Promise.allSettled(Array.from({ length: count }, () => startWorker(options)));
  const started = results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failed = results.find((result) => result.status === "rejected");
  if (failed) {
    await Promise.all(started.map((worker) => worker.stop()));
    throw failed.reason;
  }
  return started;
}

export function randomPrefix(): string {
  return `test:${process.pid}:${randomBytes(4).toString("hex")}:`;
}
