// The worker process: runs the queued runs (BullMQ), the sweeper and retention. Start more processes to
// scale out; each runs WORKER_CONCURRENCY runs at once. SIGTERM: running runs are handed back (another worker
// resumes them after their last checkpoint), then the process exits.

import { createClientPools } from "@tributary/connectors";
import {
  type AlertNotice,
  type AlertServices,
  alertOnBacklogs,
  alertOnRunEnded,
  alertOnTriggerFailing,
  checkHealth,
  continueBulkRerun,
  createDb,
  createMailer,
  createRunEventHub,
  createRunIntake,
  createSecretBox,
  deleteExpiredRuns,
  deleteIdleDemos,
  parsePortRange,
  reconcileSchedules,
  resealAll,
  retryAlert,
  sendAlertDigest,
  sendTestAlert,
  sweepRuns,
} from "@tributary/core";
import { createJobQueue, createJobWorker, createQueueConnection, redisKeys } from "@tributary/queue";
import { createAlertHook, createPreparedFlows, createSecretsCache } from "@tributary/runner";
import { createSandbox } from "@tributary/sandbox";
import { DelayedError } from "bullmq";
import { Redis } from "ioredis";
import pino from "pino";
import { createDeadLetterSender } from "./dead-letters/send-dead-letter.ts";
import { loadEnv } from "./env.ts";
import { startMetricsServer } from "./metrics/metrics-server.ts";
import { createWorkerMetrics } from "./metrics/worker-metrics.ts";
import { createConnectionsCache } from "./runs/connections-cache.ts";
import { createRunExecutor, type ExecuteResult } from "./runs/execute-run.ts";
import { createHttpClients } from "./runs/http-clients.ts";
import { createRunPersistence } from "./runs/run-persistence.ts";
import { createRunSettings } from "./runs/run-settings.ts";
import { createRunSlots } from "./runs/run-slots.ts";
import { createScheduleFirer } from "./schedules/fire-schedule.ts";
import { createInlineIntake } from "./subscriptions/inline-intake.ts";
import { createSubscriptionManager } from "./subscriptions/subscription-manager.ts";

const env = loadEnv();
const log = pino({ level: env.LOG_LEVEL, base: { process: "worker", pid: process.pid } });
const db = createDb({ url: env.DATABASE_URL, maxConnections: Math.min(50, env.WORKER_CONCURRENCY + 5) });
const redis = new Redis(env.REDIS_URL, {
  keyPrefix: env.REDIS_PREFIX,
  maxRetriesPerRequest: 3,
  enableAutoPipelining: true,
});
redis.on("error", (error) => log.warn({ error: error.message }, "redis"));
const connection = createQueueConnection({ url: env.REDIS_URL, keyPrefix: env.REDIS_PREFIX });
const queue = createJobQueue(connection);

// Started beside the database (compose, a reboot), a worker waits for Postgres and Redis rather than giving up.
for (let attempt = 1; ; attempt++) {
  const health = await checkHealth({ db, redis });
  if (health.db === "ok" && health.redis === "ok") break;
  if (attempt === 30) {
    log.fatal({ health }, "cannot reach Postgres or Redis; giving up");
    process.exit(1);
  }
  log.warn({ health, attempt }, "waiting for Postgres and Redis");
  await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * attempt)));
}

const secretBox = createSecretBox({
  currentKey: env.ENCRYPTION_KEY,
  previousKeys: env.ENCRYPTION_PREVIOUS_KEYS.split(",").filter(Boolean),
});
const sandbox = createSandbox({ processes: env.SANDBOX_PROCESSES });
const httpClients = createHttpClients({
  demoApiUrl: env.DEMO_API_URL,
  operatorAllowedHosts: env.OUTBOUND_ALLOWED_HOSTS,
});
const pools = createClientPools();
let stopping = false;
// Made before the subscriptions it reports on: their states are read at each scrape.
let subscriptionStates: () => Record<string, number> = () => ({});
const metrics = createWorkerMetrics({ db, queue, sandbox, subscriptionStates: () => subscriptionStates() });

const events = createRunEventHub({ redis: connection.redis, url: env.REDIS_URL, keyPrefix: env.REDIS_PREFIX });
// What runs need, shared by the run executor and the subscriptions' inline runs.
const runDeps = {
  db,
  queue,
  keys: redisKeys(env.REDIS_PREFIX),
  sandbox,
  slots: createRunSlots({ redis: connection.redis, ttlMs: env.WORKER_LOCK_MS * 2 }),
  settings: createRunSettings({ db }),
  preparedFlows: createPreparedFlows({ db }),
  httpClients,
  pools,
  secrets: createSecretsCache({ db, secretBox }),
  connections: createConnectionsCache({ db, secretBox }),
  log,
  parkBackoffsOverMs: env.PARK_BACKOFFS_OVER_MS,
};
const alerts = createAlertHook({ db, queue, log });
const executeRun = createRunExecutor({
  ...runDeps,
  events,
  persistence: metrics.observe(createRunPersistence({ db, leaseMs: env.WORKER_LOCK_MS })),
  stopping: () => stopping,
  onRunEnded: alerts,
});

// BullMQ reconnects by itself when Redis goes away; one line a while says so, not one per attempt.
let lastQueueError = 0;
const onQueueError = (error: Error) => {
  if (Date.now() - lastQueueError < 10_000) return;
  lastQueueError = Date.now();
  log.warn({ error: error.message }, "queue connection trouble; reconnecting");
};

const runsWorker = createJobWorker({
  connection,
  onError: onQueueError,
  queue: "runs",
  concurrency: env.WORKER_CONCURRENCY,
  lockDurationMs: env.WORKER_LOCK_MS,
  // A run counts its own lost workers (takeovers); BullMQ must not give up on its job first.
  maxStalledCount: 100,
  handlers: {
    async "run.execute"(payload, job) {
      const result = await metrics.active(() => executeRun(payload));
      if (result !== "done") {
        await job.moveToDelayed(Date.now() + retryDelayMs(result, Date.now() - job.timestamp), job.token);
        throw new DelayedError();
      }
      await queue.runLeftQueue({ workspaceId: payload.workspaceId });
    },
  },
});

/**
 * When to try a run's job again. Busy (a concurrency limit is full): shortly, with jitter so waiting runs do
 * not arrive in lockstep. Held (another worker runs it now, e.g. a called flow ended before its caller parked):
 * soon at first, then less often, for a job that keeps finding the run held is most likely a spare one.
 */
function retryDelayMs(result: Exclude<ExecuteResult, "done">, ageMs: number): number {
  const jitter = Math.floor(Math.random() * 250);
  return result === "busy" ? 250 + 2 * jitter : Math.min(30_000, Math.max(250, ageMs / 4)) + jitter;
}
runsWorker.on("failed", (job, error) => log.error({ jobId: job?.id, error: error.message }, "run job failed"));

const maintenanceWorker = createJobWorker({
  connection,
  onError: onQueueError,
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

const sendDeadLetter = createDeadLetterSender({ db, secretBox, httpClients, log });
// Long operations users and operators start (bulk re-runs, re-sealing), and dead letters on their way to their
// queue: beside the sweeper, never in its way.
const operationsWorker = createJobWorker({
  connection,
  onError: onQueueError,
  queue: "operations",
  concurrency: 2,
  handlers: {
    async "runs.bulk-rerun"({ workspaceId, bulkRerunId }) {
      const result = await continueBulkRerun({ db, queue, workspaceId, bulkRerunId });
      log.info({ bulkRerunId, done: result.done, failed: result.failed }, "bulk re-run finished");
    },
    async "dead-letters.send"(payload) {
      await sendDeadLetter(payload);
    },
    async "secrets.reseal"(_payload, job) {
      const report = await resealAll({ db, secretBox, onWorkspace: (progress) => job.updateProgress(progress) });
      await job.updateProgress(report);
      log.info({ tables: report.tables, problems: report.problems }, "re-sealed secrets under the current key");
      return report;
    },
  },
});
operationsWorker.on("failed", (job, error) =>
  log.error({ jobId: job?.id, error: error.message }, "operation job failed"),
);

// Alerts: evaluated and sent here, after the runs' commits, never on their path.
const alertServices: AlertServices = {
  db,
  queue,
  secretBox,
  mailer: env.SMTP_URL ? createMailer({ smtpUrl: env.SMTP_URL, from: env.SMTP_FROM }) : null,
  http: (workspace) => httpClients.forWorkspace(workspace),
  appUrl: env.appUrl,
  retryDelaysMs: env.ALERT_RETRY_DELAYS_MS,
};
const alertsWorker = createJobWorker({
  connection,
  onError: onQueueError,
  queue: "alerts",
  concurrency: 5,
  handlers: {
    async "alerts.run-ended"({ workspaceId, runId }) {
      await alertOnRunEnded({ services: alertServices, workspaceId, runId });
    },
    async "alerts.trigger-failing"({ workspaceId, flowId, stepId, failures, error }) {
      await alertOnTriggerFailing({ services: alertServices, workspaceId, flowId, stepId, failures, error });
    },
    async "alerts.digest"({ workspaceId, ruleId, flowId }) {
      await sendAlertDigest({ services: alertServices, workspaceId, ruleId, flowId });
    },
    async "alerts.retry"({ workspaceId, ruleId, notice, attempt }) {
      await retryAlert({ services: alertServices, workspaceId, ruleId, notice: notice as AlertNotice, attempt });
    },
    async "alerts.test"({ workspaceId, ruleId }) {
      await sendTestAlert({ services: alertServices, workspaceId, ruleId });
    },
    async "alerts.backlog"() {
      await alertOnBacklogs({ services: alertServices });
    },
  },
});
alertsWorker.on("failed", (job, error) => log.error({ jobId: job?.id, error: error.message }, "alert job failed"));

const fireSchedule = createScheduleFirer({ db, queue, httpClients, log });
const schedulesWorker = createJobWorker({
  connection,
  onError: onQueueError,
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
  await queue
    .queue("alerts")
    .upsertJobScheduler(
      "backlog",
      { every: env.ALERT_BACKLOG_EVERY_MS },
      { name: "alerts.backlog", data: { schemaVersion: 1 } },
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
  intake: createInlineIntake({
    ...runDeps,
    intake: createRunIntake({ db, queue }),
    onRunEnded: (run) => {
      alerts({ id: run.runId, workspaceId: run.workspaceId, flowId: run.flowId }, run.result);
      metrics.ranInline(run);
    },
  }),
  secretBox,
  httpClients,
  log,
  leaseMs: env.SUBSCRIPTION_SYNC_MS * 3,
  events,
  listeners: { host: env.LISTENER_HOST, ports: parsePortRange(env.LISTENER_PORTS) },
  onTriggerFailing: ({ workspaceId, flowId, stepId, failures, error }) =>
    queue
      .enqueue("alerts.trigger-failing", { schemaVersion: 1, workspaceId, flowId, stepId, failures, error })
      .catch((cause: Error) => log.warn({ flowId, stepId, error: cause.message }, "could not queue a trigger alert")),
});
subscriptionStates = () => subscriptions.states();
const syncSubscriptions = () =>
  subscriptions.sync().catch((error: Error) => log.warn({ error: error.message }, "could not sync subscriptions"));
await syncSubscriptions();
const subscriptionTimer = setInterval(syncSubscriptions, env.SUBSCRIPTION_SYNC_MS);
const metricsServer = env.METRICS_TOKEN
  ? await startMetricsServer({
      registry: metrics.registry,
      token: env.METRICS_TOKEN,
      host: env.METRICS_HOST,
      port: env.METRICS_PORT,
    })
  : null;
log.info({ concurrency: env.WORKER_CONCURRENCY, metricsPort: metricsServer ? env.METRICS_PORT : null }, "worker ready");

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down: handing back running runs");
  const force = setTimeout(() => process.exit(1), 30_000);
  force.unref();
  // Consumers first: no new runs while the running ones are handed back.
  clearInterval(subscriptionTimer);
  metricsServer?.close();
  await subscriptions.close().catch(() => undefined);
  await Promise.allSettled([
    runsWorker.close(),
    maintenanceWorker.close(),
    schedulesWorker.close(),
    operationsWorker.close(),
    alertsWorker.close(),
  ]);
  await Promise.allSettled([
    queue.close(),
    events.close(),
    sandbox.close(),
    httpClients.close(),
    pools.close(),
    db.$disconnect(),
  ]);
  redis.disconnect();
  connection.redis.disconnect();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
