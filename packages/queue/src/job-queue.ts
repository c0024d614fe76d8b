// Typed producers for the job catalog, and the fair run queue.
//
// Fairness across workspaces: BullMQ serves lower `priority` first. A run's priority is the depth of its
// workspace's backlog when it was queued (1 for the first waiting run, 2 for the second…), so the queue
// interleaves workspaces round-robin: a workspace that queues 5,000 runs does not make another wait behind all
// of them. The per-workspace backlog counters live in Redis; the sweeper corrects any drift from Postgres.
import { Queue } from "bullmq";
import { JOBS, type JobName, type JobPayload, QUEUE_NAMES, type QueueName } from "./catalog.ts";
import type { QueueConnection } from "./connection.ts";

const MAX_PRIORITY = 2_097_151;

export type EnqueueOptions = { jobId?: string; delayMs?: number; priority?: number };

export type JobQueue = {
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>, options?: EnqueueOptions): Promise<void>;
  /** Queues a run (job id = run id) behind its workspace's own backlog only. */
  enqueueRun(options: { workspaceId: string; runId: string; delayMs?: number; jobId?: string }): Promise<void>;
  /** Called once a run's job is done with (finished, parked or failed): shortens its workspace's backlog. */
  runLeftQueue(options: { workspaceId: string }): Promise<void>;
  /** Sets a workspace's backlog counter to the truth (queued runs in Postgres). */
  resetBacklog(options: { workspaceId: string; depth: number }): Promise<void>;
  /** Whether a job with this id is waiting, delayed, active or prioritized in Redis. */
  hasJob(options: { queue: QueueName; jobId: string }): Promise<boolean>;
  queue(name: QueueName): Queue;
  close(): Promise<void>;
};

export function createJobQueue(connection: QueueConnection): JobQueue {
  const queues = new Map<QueueName, Queue>(
    QUEUE_NAMES.map((name) => {
      const queue = new Queue(name, { connection: connection.redis, prefix: connection.prefix });
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
  const backlogKey = (workspaceId: string) => `${connection.prefix}:backlog:${workspaceId}`;

  async function enqueue<N extends JobName>(name: N, payload: JobPayload<N>, options: EnqueueOptions = {}) {
    const job = JOBS[name];
    const data = job.payload.parse(payload);
    await queueOf(job.queue).add(name, data, {
      ...(options.jobId ? { jobId: options.jobId } : {}),
      ...(options.delayMs ? { delay: options.delayMs } : {}),
      ...(options.priority ? { priority: options.priority } : {}),
      attempts: job.attempts,
      removeOnComplete: true,
      removeOnFail: { age: 24 * 3600 },
    });
  }

  return {
    enqueue,
    async enqueueRun({ workspaceId, runId, delayMs, jobId }) {
      const depth = await connection.redis.incr(backlogKey(workspaceId));
      await enqueue(
        "run.execute",
        { schemaVersion: 1, workspaceId, runId },
        {
          jobId: jobId ?? runId,
          priority: Math.min(Math.max(depth, 1), MAX_PRIORITY),
          ...(delayMs ? { delayMs } : {}),
        },
      );
    },
    async runLeftQueue({ workspaceId }) {
      const depth = await connection.redis.decr(backlogKey(workspaceId));
      if (depth < 0) await connection.redis.set(backlogKey(workspaceId), 0);
    },
    async resetBacklog({ workspaceId, depth }) {
      await connection.redis.set(backlogKey(workspaceId), depth, "EX", 7 * 24 * 3600);
    },
    async hasJob({ queue, jobId }) {
      const state = await queueOf(queue).getJobState(jobId);
      return state !== "unknown" && state !== "completed" && state !== "failed";
    },
    queue: queueOf,
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
    },
  };
}
