// Runs started and finished and their steps' durations, counted alike by the worker (every run it executes)
// and by the web process (webhooks' quick runs, run as the call is taken in): the same names in both, so a
// dashboard sums the two processes.
import { Counter, Histogram, type Registry } from "prom-client";
import type { Checkpoint, FinishedRun } from "../runs/run-store.ts";

export type RunMetrics = {
  runStarted(trigger: string): void;
  runFinished(status: "succeeded" | "failed"): void;
  /** Observes the durations of steps that ran (decided-without-running ones are skipped). */
  stepsRan(checkpoints: Checkpoint[]): void;
  /** A run run in memory and stored once it ended: started, its steps, finished. */
  ranWhole(run: FinishedRun): void;
};

export function registerRunMetrics(registry: Registry): RunMetrics {
  const runsStarted = new Counter({
    name: "tributary_runs_started_total",
    help: "Runs begun (taken up for the first time by a worker, or run by the web process as their call came in), by trigger.",
    labelNames: ["trigger"],
    registers: [registry],
  });
  const runsFinished = new Counter({
    name: "tributary_runs_finished_total",
    help: "Runs that ended, by status (succeeded, failed).",
    labelNames: ["status"],
    registers: [registry],
  });
  const stepDuration = new Histogram({
    name: "tributary_step_duration_seconds",
    help: "How long steps took, by step type and status (succeeded, failed).",
    labelNames: ["step_type", "status"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const metrics: RunMetrics = {
    runStarted(trigger) {
      runsStarted.inc({ trigger });
    },
    runFinished(status) {
      runsFinished.inc({ status });
    },
    stepsRan(checkpoints) {
      for (const step of checkpoints) {
        if (step.status === "skipped") continue;
        const seconds = Math.max(0, step.finishedAt.getTime() - step.startedAt.getTime()) / 1000;
        stepDuration.observe({ step_type: step.stepType, status: step.status }, seconds);
      }
    },
    ranWhole(run) {
      metrics.runStarted(run.trigger);
      metrics.stepsRan(run.checkpoints);
      metrics.runFinished(run.result.status);
    },
  };
  return metrics;
}
