export { JOBS, type JobName, type JobPayload, QUEUE_NAMES, type QueueName } from "./catalog.ts";
export { createQueueConnection, FAIL_FAST_REDIS, type QueueConnection, workerConnectionOptions } from "./connection.ts";
export { createJobQueue, type EnqueueOptions, type JobQueue, type RunJob } from "./job-queue.ts";
export { createJobWorker, type JobHandlers, type JobWorkerOptions } from "./job-worker.ts";
export { registerQueueMetrics } from "./queue-metrics.ts";
export { type RedisKeys, redisKeys } from "./redis-keys.ts";
