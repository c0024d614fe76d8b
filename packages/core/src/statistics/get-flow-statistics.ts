// A flow's statistics over the last hour, 24 hours or 7 days, read from the minute rollups only (roll-up-runs.ts):
// at most 10,080 rows for a week, however many runs the flow had.
import { type Db, scoped } from "@tributary/db";
import { z } from "zod";
import { notFound } from "../errors/app-error.ts";
import { HISTOGRAM_BUCKETS, histogramQuantile } from "./duration-histogram.ts";

export const STATISTICS_PERIODS = { "1h": 3_600_000, "24h": 86_400_000, "7d": 604_800_000 } as const;
/** Width of a chart point: a minute over an hour, 15 minutes over a day, an hour over a week. */
const BIN_MS = { "1h": 60_000, "24h": 900_000, "7d": 3_600_000 } as const;

export type StatisticsPeriod = keyof typeof STATISTICS_PERIODS;

export const flowStatisticsInput = z.object({
  flowId: z.uuid(),
  /** The period of the chart, the slowest runs and the steps; the summary covers all three. */
  period: z.enum(["1h", "24h", "7d"]).default("24h"),
});

export type DurationSummary = {
  runs: number;
  failures: number;
  minMs: number | null;
  meanMs: number | null;
  p95Ms: number | null;
  maxMs: number | null;
};

export type FlowStatistics = {
  flowId: string;
  period: StatisticsPeriod;
  from: string;
  to: string;
  binMs: number;
  summary: Record<StatisticsPeriod, DurationSummary>;
  /** One point per bin that had finished runs, oldest first. */
  series: ({ at: string } & DurationSummary)[];
  /** The ten slowest runs of the period, slowest first (status null: deleted by retention since). */
  slowestRuns: { runId: string; durationMs: number; finishedMinute: string; status: string | null }[];
  /** Steps by time spent over the period, most first. */
  steps: {
    stepId: string;
    stepType: string;
    runs: number;
    failures: number;
    totalMs: number;
    meanMs: number;
    maxMs: number;
  }[];
};

type Aggregate = {
  runs: number;
  failures: number;
  sum: number;
  min: number | null;
  max: number | null;
  histogram: number[];
};

function summarise({ runs, failures, sum, min, max, histogram }: Aggregate): DurationSummary {
  if (runs === 0) return { runs: 0, failures: 0, minMs: null, meanMs: null, p95Ms: null, maxMs: null };
  return {
    runs,
    failures,
    minMs: min,
    meanMs: Math.round(sum / runs),
    p95Ms: histogramQuantile({ histogram, q: 0.95, min: min ?? 0, max: max ?? 0 }),
    maxMs: max,
  };
}

function emptyAggregate(): Aggregate {
  return { runs: 0, failures: 0, sum: 0, min: null, max: null, histogram: new Array(HISTOGRAM_BUCKETS).fill(0) };
}

export async function getFlowStatistics({
  db,
  workspaceId,
  flowId,
  period = "24h",
  now = new Date(),
}: {
  db: Db;
  workspaceId: string;
  now?: Date;
} & z.input<typeof flowStatisticsInput>): Promise<FlowStatistics> {
  const binMs = BIN_MS[period];
  const from = new Date(now.getTime() - STATISTICS_PERIODS[period]);
  const since = {
    "1h": new Date(now.getTime() - STATISTICS_PERIODS["1h"]),
    "24h": new Date(now.getTime() - STATISTICS_PERIODS["24h"]),
    "7d": new Date(now.getTime() - STATISTICS_PERIODS["7d"]),
  };
  return scoped(db, { workspaceId }, async (tx) => {
    const flow = await tx.flow.findFirst({ where: { id: flowId, workspaceId }, select: { id: true } });
    if (!flow) throw notFound("That flow");

    // Per period (the week's rows, each period a filter) and per chart bin of the chosen period: counts and
    // extremes, then the histograms summed bucket by bucket.
    const totals = await tx.$queryRaw<
      { key: string; runs: number; failures: number; sum: number; min: number | null; max: number | null }[]
    >`
      SELECT p.key, coalesce(sum(s.runs), 0)::int AS runs, coalesce(sum(s.failures), 0)::int AS failures,
             coalesce(sum(s.duration_sum_ms), 0)::float8 AS sum, min(s.duration_min_ms) AS min, max(s.duration_max_ms) AS max
        FROM (VALUES ('1h', ${since["1h"]}::timestamptz), ('24h', ${since["24h"]}::timestamptz),
                     ('7d', ${since["7d"]}::timestamptz)) AS p(key, since)
        LEFT JOIN flow_minute_stats s ON s.flow_id = ${flowId}::uuid AND s.minute >= p.since
       GROUP BY p.key`;
    const totalBuckets = await tx.$queryRaw<{ key: string; i: number; n: number }[]>`
      SELECT p.key, u.i::int AS i, sum(u.n)::int AS n
        FROM (VALUES ('1h', ${since["1h"]}::timestamptz), ('24h', ${since["24h"]}::timestamptz),
                     ('7d', ${since["7d"]}::timestamptz)) AS p(key, since)
        JOIN flow_minute_stats s ON s.flow_id = ${flowId}::uuid AND s.minute >= p.since
       CROSS JOIN LATERAL unnest(s.histogram) WITH ORDINALITY AS u(n, i)
       WHERE u.n > 0
       GROUP BY p.key, u.i`;
    const bins = await tx.$queryRaw<
      { at: Date; runs: number; failures: number; sum: number; min: number; max: number }[]
    >`
      SELECT to_timestamp(floor(extract(epoch FROM minute) * 1000 / ${binMs}) * ${binMs} / 1000) AS at,
             sum(runs)::int AS runs, sum(failures)::int AS failures, sum(duration_sum_ms)::float8 AS sum,
             min(duration_min_ms) AS min, max(duration_max_ms) AS max
        FROM flow_minute_stats WHERE flow_id = ${flowId}::uuid AND minute >= ${from}
       GROUP BY 1 ORDER BY 1`;
    const binBuckets = await tx.$queryRaw<{ at: Date; i: number; n: number }[]>`
      SELECT to_timestamp(floor(extract(epoch FROM s.minute) * 1000 / ${binMs}) * ${binMs} / 1000) AS at,
             u.i::int AS i, sum(u.n)::int AS n
        FROM flow_minute_stats s CROSS JOIN LATERAL unnest(s.histogram) WITH ORDINALITY AS u(n, i)
       WHERE s.flow_id = ${flowId}::uuid AND s.minute >= ${from} AND u.n > 0
       GROUP BY 1, 2`;
    // The ten slowest are among the slowest runs kept of the ten minutes with the slowest runs.
    const slowest = await tx.$queryRaw<{ run_id: string; duration_ms: number; minute: Date; status: string | null }[]>`
      SELECT e.id::text AS run_id, e.ms AS duration_ms, top.minute, r.status::text AS status
        FROM (SELECT minute, slowest_runs FROM flow_minute_stats
               WHERE flow_id = ${flowId}::uuid AND minute >= ${from}
               ORDER BY duration_max_ms DESC LIMIT 10) AS top
       CROSS JOIN LATERAL jsonb_to_recordset(top.slowest_runs) AS e(id uuid, ms int)
        LEFT JOIN runs r ON r.id = e.id
       ORDER BY e.ms DESC, e.id LIMIT 10`;
    const steps = await tx.$queryRaw<
      { step_id: string; step_type: string; runs: number; failures: number; total: number; max: number }[]
    >`
      SELECT step_id, max(step_type) AS step_type, sum(runs)::int AS runs, sum(failures)::int AS failures,
             sum(duration_sum_ms)::float8 AS total, max(duration_max_ms) AS max
        FROM step_minute_stats WHERE flow_id = ${flowId}::uuid AND minute >= ${from}
       GROUP BY step_id ORDER BY total DESC, step_id LIMIT 50`;

    const periods = new Map<string, Aggregate>();
    for (const row of totals) periods.set(row.key, { ...row, histogram: new Array(HISTOGRAM_BUCKETS).fill(0) });
    for (const { key, i, n } of totalBuckets) {
      const aggregate = periods.get(key);
      if (aggregate) aggregate.histogram[i - 1] = n;
    }
    const series = new Map<number, Aggregate>();
    for (const bin of bins) series.set(bin.at.getTime(), { ...bin, histogram: new Array(HISTOGRAM_BUCKETS).fill(0) });
    for (const { at, i, n } of binBuckets) {
      const aggregate = series.get(at.getTime());
      if (aggregate) aggregate.histogram[i - 1] = n;
    }
    return {
      flowId,
      period,
      from: from.toISOString(),
      to: now.toISOString(),
      binMs,
      summary: {
        "1h": summarise(periods.get("1h") ?? emptyAggregate()),
        "24h": summarise(periods.get("24h") ?? emptyAggregate()),
        "7d": summarise(periods.get("7d") ?? emptyAggregate()),
      },
      series: [...series].map(([at, aggregate]) => ({ at: new Date(at).toISOString(), ...summarise(aggregate) })),
      slowestRuns: slowest.map((row) => ({
        runId: row.run_id,
        durationMs: row.duration_ms,
        finishedMinute: row.minute.toISOString(),
        status: row.status,
      })),
      steps: steps.map((row) => ({
        stepId: row.step_id,
        stepType: row.step_type,
        runs: row.runs,
        failures: row.failures,
        totalMs: Math.round(row.total),
        meanMs: row.runs ? Math.round(row.total / row.runs) : 0,
        maxMs: row.max,
      })),
    };
  });
}
