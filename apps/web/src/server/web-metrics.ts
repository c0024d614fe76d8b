// The web process's Prometheus metrics (served at /metrics by web-server.ts when METRICS_TOKEN is set): webhook
// requests by status, the runs it ran as it took calls in (named as the worker's, so sums are of both), the
// Postgres pools, and Node's own process metrics.
import { answerMetricsRequest, type Db, type FinishedRun, registerSqlPoolMetrics } from "@tributary/core";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

export type WebMetrics = {
  /** Answers a scrape of /metrics. */
  serve(request: Request): Promise<Response>;
  /** Counts one answered webhook request. */
  webhookAnswered(status: number): void;
  /** Counts a run this process ran as it took its call in, and its steps' durations. */
  ranInline(run: FinishedRun): void;
};

export function createWebMetrics({ db, token }: { db: Db; token: string }): WebMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ process: "web" });
  collectDefaultMetrics({ register: registry, prefix: "tributary_" });
  registerSqlPoolMetrics({ registry, pools: { orm: db.ormPool, sql: db.sql } });
  const webhookRequests = new Counter({
    name: "tributary_webhook_requests_total",
    help: "Webhook requests (/hooks and /hooks-test) answered, by HTTP status.",
    labelNames: ["status"],
    registers: [registry],
  });
  const runsStarted = new Counter({
    name: "tributary_runs_started_total",
    help: "Runs begun (here: webhooks' quick runs, run as the call was taken in), by trigger.",
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
  return {
    ranInline(run) {
      runsStarted.inc({ trigger: run.trigger });
      runsFinished.inc({ status: run.result.status });
      for (const step of run.checkpoints) {
        stepDuration.observe(
          { step_type: step.stepType, status: step.status },
          (step.finishedAt.getTime() - step.startedAt.getTime()) / 1000,
        );
      }
    },
    async serve(request) {
      const answer = await answerMetricsRequest({
        registry,
        token,
        authorization: request.headers.get("authorization"),
      });
      return new Response(answer.body, { status: answer.status, headers: answer.headers });
    },
    webhookAnswered(status) {
      webhookRequests.inc({ status: String(status) });
    },
  };
}
