// `npm run secrets:reseal`: after a key rotation, re-seals every sealed value (secrets, connections' secret
// fields, security rules' credentials) under ENCRYPTION_KEY, opening old ones with ENCRYPTION_PREVIOUS_KEYS, and
// prints how many rows of each table it re-sealed. Safe to run again: rows already under the current key are
// skipped. `--queue` hands the work to the workers (the `secrets.reseal` job) and waits for its report.
// Exits 1 when a value could not be opened (it keeps its old key: do not drop that key yet).
import { createDb, createSecretBox, type ResealReport, resealAll } from "@tributary/core";
import { createJobQueue, createQueueConnection, workerConnectionOptions } from "@tributary/queue";
import { QueueEvents } from "bullmq";
import { loadEnv } from "../apps/worker/src/env.ts";
import { loadDotEnv } from "./lib/dotenv.ts";
import { step } from "./lib/run.ts";

function print(report: ResealReport): void {
  console.log(`\nWorkspaces with values under another key: ${report.workspaces}`);
  console.table(report.tables);
  for (const problem of report.problems) {
    const where = problem.workspaceId ? ` (workspace ${problem.workspaceId})` : "";
    console.error(`✖ ${problem.table} ${problem.row}${where}: ${problem.reason}`);
  }
}

async function inProcess(env: ReturnType<typeof loadEnv>): Promise<ResealReport> {
  const db = createDb({ url: env.DATABASE_URL, maxConnections: 2 });
  const secretBox = createSecretBox({
    currentKey: env.ENCRYPTION_KEY,
    previousKeys: env.ENCRYPTION_PREVIOUS_KEYS.split(",").filter(Boolean),
  });
  try {
    step(`Re-sealing under key ${secretBox.currentKeyId}…`);
    return await resealAll({ db, secretBox });
  } finally {
    await db.$disconnect();
  }
}

async function onWorkers(env: ReturnType<typeof loadEnv>): Promise<ResealReport> {
  const connection = createQueueConnection({ url: env.REDIS_URL, keyPrefix: env.REDIS_PREFIX });
  const queue = createJobQueue(connection);
  const events = new QueueEvents("operations", {
    connection: workerConnectionOptions(env.REDIS_URL),
    prefix: connection.prefix,
  });
  try {
    await events.waitUntilReady();
    const job = await queue.enqueue("secrets.reseal", { schemaVersion: 1 }, { jobId: "secrets-reseal" });
    step("Queued the secrets.reseal job; waiting for a worker to finish it…");
    return (await job.waitUntilFinished(events)) as ResealReport;
  } finally {
    await events.close();
    await queue.close();
    connection.redis.disconnect();
  }
}

try {
  loadDotEnv();
  const env = loadEnv();
  const report = process.argv.includes("--queue") ? await onWorkers(env) : await inProcess(env);
  print(report);
  if (report.problems.length) {
    console.error(
      "\nSome values could not be opened: they keep their old key. Keep that key in ENCRYPTION_PREVIOUS_KEYS, or set those values again.",
    );
    process.exit(1);
  }
  step("Every sealed value is under the current key: the previous keys may now be dropped.");
} catch (error) {
  console.error(`\n\x1b[31m✖\x1b[0m ${(error as Error).message}`);
  process.exit(1);
}
