// Typed producers for the job catalog, and the fair run queue.
//
// Fairness across workspaces: BullMQ serves lower `priority` first. A run's priority is the depth of its
// workspace's backlog when it was queued (1 for the first waiting run, 2 for the second…), so the queue
// interleaves workspaces round-robin: a workspace that queues 5,000 runs does not make another wait behind all
// of them. The per-workspace backlog counters live in Redis; the sweeper corrects any drift from Postgres.
import { type Job, type JobsOptions, Queue } from "bullmq";
import { JOBS, type JobName, type JobPayload, QUEUE_NAMES, type QueueName } from "./catalog.ts";
import type { QueueConnection } from "./connection.ts";
import { redisKeys } from "./redis-keys.ts";

const MAX_PRIORITY = 2_097_151;
const RETRY_BACKOFF_MS = 1_000;

export type EnqueueOptions = { jobId?: string; delayMs?: number; priority?: number };

/** A run's job: its id is the run id unless this is a second job of the same run (a wake-up, a hand-back). */
export type RunJob = { workspaceId: string; flowId: string; runId: string; jobId?: string; delayMs?: number };

export type JobQueue = {
  /** Adds a job (or, when a job with the same id is live, finds that one). */
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>, options?: EnqueueOptions): Promise<Job>;
  /** Queues runs, each behind its own workspace's backlog only: one round trip for the counters, one for the jobs. */
  enqueueRuns(jobs: RunJob[]): Promise<void>;
  enqueueRun(job: RunJob): Promise<void>;
  /**
   * Queues a run whose job Redis lost or gave up on: a failed or finished job under the run's id would make
   * BullMQ ignore a new one, so it is removed first. Does nothing when a live job exists.
   */
  requeueRun(job: RunJob): Promise<"queued" | "live">;
  /** Called once a run's job is done with (finished, parked or failed): shortens its workspace's backlog. */
  runLeftQueue(options: { workspaceId: string }): Promise<void>;
  /** Sets a workspace's backlog counter to the truth (queued runs in Postgres). */
  resetBacklog(options: { workspaceId: string; depth: number }): Promise<void>;
  queue(name: QueueName): Queue;
  close(): Promise<void>;
};

export function createJobQueue(connection: QueueConnection): JobQueue {
  const keys = redisKeys(connection.keyPrefix);
  // BullMQ on a client of its own: BullMQ defines its scripts as commands of the client it is given, and
  // ioredis copies every defined command into each pipeline it makes — one per turn of the event loop with
  // auto-pipelining. On the shared client, every run's slot claim and counter paid for a hundred copies.
  const bullRedis = connection.redis.duplicate();
  bullRedis.on("error", () => {});
  const queues = new Map<QueueName, Queue>(
    QUEUE_NAMES.map((name) => {
      const queue = new Queue(name, { connection: bullRedis, prefix: connection.prefix });
      // Producers learn of an outage from the calls that fail; the connection errors themselves are noise.
      queue.on("error", () => {});
      return [name, queue];
    }),
  );
  const queueOf = (name: QueueName): Queue => {
    const queue = queues.get(name);
    if (!queue) throw new Error(`Unknown queue ${name}`);
    return queue;
  };
  const jobOptions = (name: JobName, options: EnqueueOptions): JobsOptions => {
    const { attempts } = JOBS[name];
    return {
      ...(options.jobId ? { jobId: options.jobId } : {}),
      ...(options.delayMs ? { delay: options.delayMs } : {}),
      ...(options.priority ? { priority: options.priority } : {}),
      attempts,
      ...(attempts > 1 ? { backoff: { type: "exponential", delay: RETRY_BACKOFF_MS } } : {}),
      removeOnComplete: true,
      removeOnFail: { age: 24 * 3600 },
    };
  };
  const runQueue = queueOf(JOBS["run.execute"].queue);

  async function enqueueRuns(jobs: RunJob[]) {
    if (jobs.length === 0) return;
    const perWorkspace = new Map<string, number>();
    for (const job of jobs) perWorkspace.set(job.workspaceId, (perWorkspace.get(job.workspaceId) ?? 0) + 1);
    const counters = connection.redis.pipeline();
    for (const [workspaceId, count] of perWorkspace) counters.incrby(keys.backlog(workspaceId), count);
    const depths = (await counters.exec()) ?? [];
    // Each workspace's jobs of this batch take the depths just below its counter's new value.
    const next = new Map([...perWorkspace.keys()].map((workspaceId, i) => [workspaceId, Number(depths[i]?.[1] ?? 1)]));
    await runQueue.addBulk(
      jobs.map((job) => {
        const depth = next.get(job.workspaceId) ?? 1;
        next.set(job.workspaceId, depth - 1);
        return {
          name: "run.execute",
          data: JOBS["run.execute"].payload.parse({
            schemaVersion: 2,
            workspaceId: job.workspaceId,
            flowId: job.flowId,
            runId: job.runId,
          }),
          opts: jobOptions("run.execute", {
            jobId: job.jobId ?? job.runId,
            priority: Math.min(Math.max(depth, 1), MAX_PRIORITY),
            ...(job.delayMs ? { delayMs: job.delayMs } : {}),
          }),
        };
      }),
    );
  }

  return {
    async enqueue(name, payload, options = {}) {
      const data = JOBS[name].payload.parse(payload);
      return queueOf(JOBS[name].queue).add(name, data, jobOptions(name, options));
    },
    enqueueRuns,
    enqueueRun: (job) => enqueueRuns([job]),
    async requeueRun(job) {
      const state = await runQueue.getJobState(job.jobId ?? job.runId);
      if (state === "completed" || state === "failed") await runQueue.remove(job.jobId ?? job.runId);
      else if (state !== "unknown") return "live";
      await enqueueRuns([job]);
      return "queued";
    },
    async runLeftQueue({ workspaceId }) {
      const depth = await connection.redis.decr(keys.backlog(workspaceId));
      if (depth < 0) await connection.redis.set(keys.backlog(workspaceId), 0);
    },
    async resetBacklog({ workspaceId, depth }) {
      await connection.redis.set(keys.backlog(workspaceId), depth, "EX", 7 * 24 * 3600);
    },
    queue: queueOf,
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
      bullRedis.disconnect();
    },
  };
}
