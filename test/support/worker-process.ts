// Real worker processes for integration tests, on the test's own database and Redis prefix.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { TEST_REDIS_URL } from "./services.ts";

const ROOT = resolve(import.meta.dirname, "../..");

export const TEST_ENCRYPTION_KEY = randomBytes(32).toString("base64");

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
  const child = spawn(process.execPath, ["apps/worker/src/main.ts"], {
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
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const ready = await new Promise<boolean>((done) => {
    // Generous: a busy 2-core CI machine can take long to load the worker's modules.
    const timer = setTimeout(() => done(false), 90_000);
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
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}

export function randomPrefix(): string {
  return `test:${process.pid}:${randomBytes(4).toString("hex")}:`;
}
