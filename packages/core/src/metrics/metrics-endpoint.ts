// The /metrics endpoint of the web and worker processes: Prometheus text from a prom-client registry, for a
// caller with the operator's bearer token (METRICS_TOKEN) only — metrics name flows' step types and queue sizes.
import { timingSafeEqual } from "node:crypto";
import type { SqlPool } from "@tributary/db";
import { Gauge, type Registry } from "prom-client";

export const METRICS_PATH = "/metrics";

export type MetricsAnswer = { status: number; headers: Record<string, string>; body: string };

/** The answer to a scrape: 401 without the right `Authorization: Bearer <token>`, else the registry's metrics. */
export async function answerMetricsRequest({
  registry,
  token,
  authorization,
}: {
  registry: Registry;
  token: string;
  authorization: string | null | undefined;
}): Promise<MetricsAnswer> {
  const given = Buffer.from(authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim() ?? "");
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      status: 401,
      headers: { "content-type": "application/json", "www-authenticate": 'Bearer realm="metrics"' },
      body: JSON.stringify({
        error: {
          code: "unauthorized",
          message:
            "Scraping /metrics needs `Authorization: Bearer <METRICS_TOKEN>` with the token this process was started with.",
        },
      }),
    };
  }
  return { status: 200, headers: { "content-type": registry.contentType }, body: await registry.metrics() };
}

/** Connections of the process's Postgres pools, read at each scrape: open, idle, and callers waiting for one. */
export function registerSqlPoolMetrics({ registry, pools }: { registry: Registry; pools: Record<string, SqlPool> }) {
  new Gauge({
    name: "tributary_db_pool_connections",
    help: "Connections of this process's Postgres pools by state: total (open), idle, waiting (callers queued for one).",
    labelNames: ["pool", "state"],
    registers: [registry],
    collect() {
      for (const [pool, { totalCount, idleCount, waitingCount }] of Object.entries(pools)) {
        this.set({ pool, state: "total" }, totalCount);
        this.set({ pool, state: "idle" }, idleCount);
        this.set({ pool, state: "waiting" }, waitingCount);
      }
    },
  });
  new Gauge({
    name: "tributary_db_pool_max_connections",
    help: "The size limit of each of this process's Postgres pools.",
    labelNames: ["pool"],
    registers: [registry],
    collect() {
      for (const [pool, { options }] of Object.entries(pools)) this.set({ pool }, options.max ?? 10);
    },
  });
}
