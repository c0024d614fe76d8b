// The web process's Prometheus metrics (served at /metrics by web-server.ts when METRICS_TOKEN is set): webhook
// requests by status, the runs it ran as it took calls in (named as the worker's, so sums are of both), the
// Postgres pools, and Node's own process metrics.
import {
  answerMetricsRequest,
  type Db,
  type FinishedRun,
  registerRunMetrics,
  registerSqlPoolMetrics,
} from "@tributary/core";
import { Counter, collectDefaultMetrics, Registry } from "prom-client";

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
  const runs = registerRunMetrics(registry);
  return {
    ranInline(run) {
      runs.ranWhole(run);
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
