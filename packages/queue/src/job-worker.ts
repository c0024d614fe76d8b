// A BullMQ worker for one queue that dispatches each job to its handler by name, with the payload parsed
// against the catalog, so a handler is two lines that call a service.
import { type Job, Worker, type WorkerOptions } from "bullmq";
import { JOBS, type JobName, type JobPayload, type QueueName } from "./catalog.ts";
import type { QueueConnection } from "./connection.ts";
import { workerConnectionOptions } from "./connection.ts";

/** A handler's result is kept as the job's return value, for whoever waits for the job. */
export type JobHandlers = { [N in JobName]?: (payload: JobPayload<N>, job: Job) => Promise<unknown> };

export type JobWorkerOptions = {
  connection: QueueConnection;
  queue: QueueName;
  handlers: JobHandlers;
  concurrency: number;
  /** How long a job's lock lives without renewal; a dead worker's jobs are taken up again after it. */
  lockDurationMs?: number;
  /** How many times a job may be found stalled (its worker died) before BullMQ fails it. */
  maxStalledCount?: number;
  settings?: Partial<WorkerOptions>;
  /** Connection trouble (Redis down or restarting): BullMQ reconnects by itself; this only hears of it. */
  onError?: (error: Error) => void;
};

export function createJobWorker({
  connection,
  queue,
  handlers,
  concurrency,
  lockDurationMs = 30_000,
  maxStalledCount = 2,
  settings = {},
  onError = () => {},
}: JobWorkerOptions): Worker {
  const worker = new Worker(
    queue,
    async (job: Job) => {
      const name = job.name as JobName;
      const handler = handlers[name] as ((payload: unknown, job: Job) => Promise<unknown>) | undefined;
      if (!handler || JOBS[name]?.queue !== queue) throw new Error(`No handler for job ${job.name} on queue ${queue}`);
      return handler(JOBS[name].payload.parse(job.data), job);
    },
    {
      connection: workerConnectionOptions(connection.url),
      prefix: connection.prefix,
      concurrency,
      lockDuration: lockDurationMs,
      stalledInterval: Math.max(1_000, Math.floor(lockDurationMs / 2)),
      maxStalledCount,
      ...settings,
    },
  );
  // Unheard, an "error" event would end the process.
  worker.on("error", onError);
  return worker;
}
