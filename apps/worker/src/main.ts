// The worker process: runs the queued runs (BullMQ), the sweeper and retention. Start more processes to
// scale out; each runs WORKER_CONCURRENCY runs at once. SIGTERM: running runs are handed back (another worker
// resumes them after their last checkpoint), then the process exits.

import { createClientPools } from "@tributary/connectors";
import {
  checkHealth,
  createDb,
  createSecretBox,
  deleteExpiredRuns,
  deleteIdleDemos,
  parsePortRange,
  reconcileSchedules,
  sweepRuns,
} from "@tributary/core";
import { createJobQueue, createJobWorker, createQueueConnection } from "@tributary/queue";
import { createSandbox } from "@tributary/sandbox";
import { DelayedError } from "bullmq";
import { Redis } from "ioredis";
import pino from "pino";
import { loadEnv } from "./env.ts";
import { createConnectionsCache } from "./runs/connections-cache.ts";
import { createRunExecutor } from "./runs/execute-run.ts";
import { createHttpClients } from "./runs/http-clients.ts";
import { createPreparedFlows } from "./runs/prepared-flows.ts";
import { createRunSlots } from "./runs/run-slots.ts";
import { createSecretsCache } from "./runs/secrets-cache.ts";
import { createScheduleFirer } from "./schedules/fire-schedule.ts";
import { createSubscriptionManager } from "./subscriptions/subscription-manager.ts";

const env = loadEnv();
const log = pino({ level: env.LOG_LEVEL, base: { process: "worker", pid: process.pid } });
const db = createDb({ url: env.DATABASE_URL, maxConnections: Math.min(50, env.WORKER_CONCURRENCY + 5) });
const redis = new Redis(env.REDIS_URL, { keyPrefix: env.REDIS_PREFIX, maxRetriesPerRequest: 3 });
redis.on("error", (error) => log.warn({ error: error.message }, "redis"));
const connection = createQueueConnection({ url: env.REDIS_URL, keyPrefix: env.REDIS_PREFIX });
const queue = createJobQueue(connection);

const health = await checkHealth({ db, redis });
if (health.db !== "ok" || health.redis !== "ok") {
  log.fatal({ health }, "cannot reach Postgres or Redis");
  process.exit(1);
}

const secretBox = createSecretBox({
  currentKey: env.ENCRYPTION_KEY,
  previousKeys: env.ENCRYPTION_PREVIOUS_KEYS.split(",").filter(Boolean),
});
const sandbox = createSandbox({ processes: env.SANDBOX_PROCESSES });
const httpClients = createHttpClients({ demoApiHost: new URL(env.DEMO_API_URL).hostname });
const pools = createClientPools();
let stopping = false;

const executeRun = createRunExecutor({
  db,
  redis,
  redisPrefix: env.REDIS_PREFIX,
  queue,
  sandbox,
  slots: createRunSlots({ redis, ttlMs: env.WORKER_LOCK_MS * 2 }),
  preparedFlows: createPreparedFlows({ db }),
  httpClients,
  pools,
  secrets: createSecretsCache({ db, secretBox }),
  connections: createConnectionsCache({ db, secretBox }),
  log,
  stopping: () => stopping,
});

const runsWorker = createJobWorker({
  connection,
  queue: "runs",
  concurrency: env.WORKER_CONCURRENCY,
  lockDurationMs: env.WORKER_LOCK_MS,
  handlers: {
    async "run.execute"({ workspaceId, runId }, job) {
      const result = await executeRun({ workspaceId, runId });
      if (result === "busy") {
        // The workspace or flow is at its concurrency limit: try again shortly, without holding a slot.
        await job.moveToDelayed(Date.now() + 250 + Math.floor(Math.random() * 500), job.token);
        throw new DelayedError();
      }
      await queue.runLeftQueue({ workspaceId });
    },
  },
});
runsWorker.on("failed", (job, error) => log.error({ jobId: job?.id, error: error.message }, "run job failed"));

const maintenanceWorker = createJobWorker({
  connection,
  queue: "maintenance",
  concurrency: 1,
  handlers: {
    async "maintenance.sweep"() {
      const report = await sweepRuns({ db, queue, staleAfterMs: env.SWEEP_STALE_MS });
      if (report.reenqueued || report.failed) log.info(report, "swept runs");
      const schedules = await reconcileSchedules({ db, queue });
      if (schedules.added || schedules.updated || schedules.removed) log.info(schedules, "reconciled schedules");
    },
    async "maintenance.demo-cleanup"() {
      const deleted = await deleteIdleDemos({ db, queue, redis: connection.redis, redisPrefix: env.REDIS_PREFIX });
      if (deleted) log.info({ deleted }, "deleted idle demo workspaces");
    },
    async "maintenance.retention"() {
      const { deleted } = await deleteExpiredRuns({ db });
      if (deleted) log.info({ deleted }, "deleted runs past retention");
    },
  },
});

const fireSchedule = createScheduleFirer({ db, queue, httpClients, log });
const schedulesWorker = createJobWorker({
  connection,
  queue: "schedules",
  concurrency: 10,
  handlers: {
    async "schedule.fire"(tick, job) {
      // The tick's own time (not when a worker got to it), so late ticks can be told from punctual ones.
      const scheduledAt = job.opts.prevMillis ?? job.timestamp + (job.opts.delay ?? 0);
      await fireSchedule({ ...tick, scheduledAt });
    },
    async "schedules.sync"({ flowId }) {
      await reconcileSchedules({ db, queue, flowId });
    },
  },
});
schedulesWorker.on("failed", (job, error) =>
  log.error({ jobId: job?.id, error: error.message }, "schedule job failed"),
);

// Job schedulers: one fire per interval however many workers run. Redis keeps nothing on disk in some setups,
// so they are put back whenever the connection comes back; the sweep then restores everything else.
async function ensureSchedulers() {
  const maintenance = queue.queue("maintenance");
  await maintenance.upsertJobScheduler(
    "sweep",
    { every: env.SWEEP_EVERY_MS },
    { name: "maintenance.sweep", data: { schemaVersion: 1 } },
  );
  await maintenance.upsertJobScheduler(
    "demo-cleanup",
    { every: env.DEMO_CLEANUP_EVERY_MS },
    { name: "maintenance.demo-cleanup", data: { schemaVersion: 1 } },
  );
  await maintenance.upsertJobScheduler(
    "retention",
    { every: env.RETENTION_EVERY_MS },
    { name: "maintenance.retention", data: { schemaVersion: 1 } },
  );
  await reconcileSchedules({ db, queue });
}
await ensureSchedulers();
connection.redis.on("ready", () => {
  ensureSchedulers().then(
    () => log.info("redis is back: schedulers ensured"),
    (error: Error) => log.warn({ error: error.message }, "could not ensure schedulers"),
  );
});
// Queue consumers and other subscription triggers: a lease each, renewed on every sync, lapsing after three.
const subscriptions = createSubscriptionManager({
  db,
  redis,
  queue,
  secretBox,
  httpClients,
  log,
  leaseMs: env.SUBSCRIPTION_SYNC_MS * 3,
  redisPrefix: env.REDIS_PREFIX,
  listeners: { host: env.LISTENER_HOST, ports: parsePortRange(env.LISTENER_PORTS) },
});
const syncSubscriptions = () =>
  subscriptions.sync().catch((error: Error) => log.warn({ error: error.message }, "could not sync subscriptions"));
await syncSubscriptions();
const subscriptionTimer = setInterval(syncSubscriptions, env.SUBSCRIPTION_SYNC_MS);
log.info({ concurrency: env.WORKER_CONCURRENCY }, "worker ready");

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down: handing back running runs");
  const force = setTimeout(() => process.exit(1), 30_000);
  force.unref();
  // Consumers first: no new runs while the running ones are handed back.
  clearInterval(subscriptionTimer);
  await subscriptions.close().catch(() => undefined);
  await Promise.allSettled([runsWorker.close(), maintenanceWorker.close(), schedulesWorker.close()]);
  await Promise.allSettled([queue.close(), sandbox.close(), httpClients.close(), pools.close(), db.$disconnect()]);
  redis.disconnect();
  connection.redis.disconnect();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
