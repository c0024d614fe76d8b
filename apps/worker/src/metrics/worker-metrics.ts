// The worker's Prometheus metrics: runs started and finished, step durations by step type, runs in progress,
// the queues, the sandbox pool, the Postgres pools and the subscription triggers this worker holds. Runs and
// steps are observed around the run persistence (what was taken up, what was committed), not inside the engine.
import { type Db, type FinishedRun, registerRunMetrics, registerSqlPoolMetrics } from "@tributary/core";
import { type JobQueue, registerQueueMetrics } from "@tributary/queue";
import type { Sandbox } from "@tributary/sandbox";
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { RunPersistence } from "../runs/run-persistence.ts";

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

export function createWorkerMetrics({
  db,
  queue,
  sandbox,
  subscriptionStates,
}: {
  db: Db;
  queue: JobQueue;
  sandbox: Sandbox;
  subscriptionStates: () => Record<string, number>;
}) {
  const registry = new Registry();
  registry.setDefaultLabels({ process: "worker" });
  collectDefaultMetrics({ register: registry, prefix: "tributary_" });
  registerSqlPoolMetrics({ registry, pools: { orm: db.ormPool, sql: db.sql } });
  registerQueueMetrics({ registry, queue });

  const runs = registerRunMetrics(registry);
  const activeRuns = new Gauge({
    name: "tributary_active_runs",
    help: "Runs this worker is executing now.",
    registers: [registry],
  });
  new Gauge({
    name: "tributary_sandbox_processes",
    help: "Sandbox processes for code steps by state: ready (started), busy (running a step).",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      const usage = sandbox.usage();
      this.set({ state: "ready" }, usage.processes);
      this.set({ state: "busy" }, usage.busy);
    },
  });
  new Gauge({
    name: "tributary_sandbox_queued_steps",
    help: "Code steps waiting for a free sandbox process.",
    registers: [registry],
    collect() {
      this.set(sandbox.usage().queued);
    },
  });
  new Gauge({
    name: "tributary_subscription_triggers",
    help: "Subscription triggers (queue consumers, topic subscribers, listeners) this worker holds, by state.",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      for (const [state, count] of Object.entries(subscriptionStates())) this.set({ state }, count);
    },
  });

  return {
    registry,
    /** Counts a run as active while `work` executes it. */
    async active<T>(work: () => Promise<T>): Promise<T> {
      activeRuns.inc();
      try {
        return await work();
      } finally {
        activeRuns.dec();
      }
    },
    /** A queue message's run, run in memory by the consumer and stored once it ended. */
    ranInline(run: FinishedRun): void {
      runs.ranWhole(run);
    },
    /**
     * The run persistence, observed: runs taken up for the first time, what each commit that took ended, and
     * runs stored whole.
     */
    observe(persistence: RunPersistence): RunPersistence {
      return {
        ...persistence,
        async pickUp(workspaceId, runId) {
          const run = await persistence.pickUp(workspaceId, runId);
          if (
            typeof run === "object" &&
            !run.takenOver &&
            run.records.length === 0 &&
            !Object.keys(run.parks ?? {}).length
          )
            runs.runStarted(run.trigger);
          return run;
        },
        async storeWhole(workspaceId, run) {
          const stored = await persistence.storeWhole(workspaceId, run);
          if (stored) runs.ranWhole(run);
          return stored;
        },
        async commit(workspaceId, commit) {
          const took = await persistence.commit(workspaceId, commit);
          if (!took) return took;
          runs.stepsRan(commit.checkpoints);
          const { status } = commit.transition;
          if (status === "succeeded" || status === "failed") runs.runFinished(status);
          return took;
        },
      };
    },
  };
}
