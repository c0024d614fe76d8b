// Queue depth and the age of the oldest waiting job per BullMQ queue, read from Redis at each scrape.
import { Gauge, type Registry } from "prom-client";
import { QUEUE_NAMES } from "./catalog.ts";
import type { JobQueue } from "./job-queue.ts";

const STATES = ["waiting", "prioritized", "delayed", "active", "failed"] as const;
/** Prioritized jobs wait in priority order, not age: the oldest is looked for among this many next in line. */
const PRIORITIZED_SAMPLE = 100;

export function registerQueueMetrics({ registry, queue }: { registry: Registry; queue: JobQueue }) {
  new Gauge({
    name: "tributary_queue_jobs",
    help: "Jobs in each queue by state (waiting, prioritized, delayed, active, failed).",
    labelNames: ["queue", "state"],
    registers: [registry],
    async collect() {
      for (const name of QUEUE_NAMES) {
        const counts = await queue.queue(name).getJobCounts(...STATES);
        for (const state of STATES) this.set({ queue: name, state }, counts[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: "tributary_queue_oldest_waiting_seconds",
    help: `Age of the oldest job waiting to be taken (the oldest of the wait list, or of the ${PRIORITIZED_SAMPLE} prioritized jobs next in line); 0 when none waits.`,
    labelNames: ["queue"],
    registers: [registry],
    async collect() {
      const now = Date.now();
      for (const name of QUEUE_NAMES) {
        const bull = queue.queue(name);
        const [oldestWaiting, prioritized] = await Promise.all([
          bull.getJobs(["wait"], 0, 0, true),
          bull.getJobs(["prioritized"], 0, PRIORITIZED_SAMPLE - 1, true),
        ]);
        const stamps = [...oldestWaiting, ...prioritized].map((job) => job.timestamp).filter(Number.isFinite);
        this.set({ queue: name }, stamps.length ? Math.max(0, (now - Math.min(...stamps)) / 1000) : 0);
      }
    },
  });
}
