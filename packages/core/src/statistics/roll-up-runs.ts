// The flow statistics' rollups: called by the run store in the transaction that finishes runs, so a run is
// counted exactly once (the finishing update succeeds once per run) and never counted if that commit fails.
// One statement per finished batch: the runs are read by primary key, their steps by (run_id, activation_key).
// Rows are upserted in key order, so concurrent batches (other workers) lock shared minute rows in the same
// order and wait for each other rather than deadlock. Each run, and each run's steps, are looked up on their own
// (LATERAL … LIMIT 1, LATERAL … OFFSET 0: a subquery the planner cannot fold into a join): read as one set, a
// planner that misjudges a workspace's size or an index's selectivity ANDs the primary key with the workspace's
// or the status's index, or hash-joins every step row in the table, reading an entry for every run the
// workspace (or the table) holds. The histograms are materialized: inlined, they were computed again for every run.
import type { PreparedStatement, Statement } from "@tributary/db";
import { runsById } from "../runs/runs-by-id.ts";
import { HISTOGRAM_BUCKETS, HISTOGRAM_GROWTH } from "./duration-histogram.ts";

/** Slowest runs kept per flow and minute. */
const SLOWEST_KEPT = 5;

const rollUp = ({ finishedNow }: { finishedNow: boolean }) => `
  WITH finished AS (
    SELECT r.id, r.workspace_id, r.flow_id, r.status, date_trunc('minute', r.finished_at) AS minute,
           greatest(0, round(extract(epoch FROM r.finished_at - coalesce(r.started_at, r.queued_at)) * 1000))::int AS ms
      FROM ${runsById("$1")}
     WHERE r.status IN ('succeeded', 'failed') AND r.finished_at IS NOT NULL
       ${finishedNow ? "AND r.finished_at = now()::timestamptz(3)" : ""}
  ),
  steps AS (
    INSERT INTO step_minute_stats AS s (workspace_id, flow_id, minute, step_id, step_type, runs, failures,
                                        duration_sum_ms, duration_max_ms)
    SELECT f.workspace_id, f.flow_id, f.minute, sr.step_id, min(sr.step_type), count(*),
           count(*) FILTER (WHERE sr.status = 'failed'), sum(sr.duration_ms), max(sr.duration_ms)
      FROM finished f
     CROSS JOIN LATERAL (SELECT * FROM step_runs sr WHERE sr.run_id = f.id AND sr.status <> 'skipped' OFFSET 0) sr
     GROUP BY f.workspace_id, f.flow_id, f.minute, sr.step_id
     ORDER BY f.flow_id, f.minute, sr.step_id
    ON CONFLICT (flow_id, minute, step_id) DO UPDATE
       SET runs = s.runs + excluded.runs, failures = s.failures + excluded.failures,
           duration_sum_ms = s.duration_sum_ms + excluded.duration_sum_ms,
           duration_max_ms = greatest(s.duration_max_ms, excluded.duration_max_ms), step_type = excluded.step_type
    RETURNING 1
  ),
  bucketed AS (
    SELECT workspace_id, flow_id, minute,
           CASE WHEN ms < ${HISTOGRAM_GROWTH} THEN 0
                ELSE least(${HISTOGRAM_BUCKETS - 1}, floor(ln(ms) / ln(${HISTOGRAM_GROWTH})))::int END AS bucket,
           count(*)::int AS n
      FROM finished GROUP BY 1, 2, 3, 4
  ),
  histograms AS MATERIALIZED (
    SELECT g.workspace_id, g.flow_id, g.minute, array_agg(coalesce(b.n, 0) ORDER BY i) AS histogram
      FROM (SELECT DISTINCT workspace_id, flow_id, minute FROM finished) g
     CROSS JOIN generate_series(0, ${HISTOGRAM_BUCKETS - 1}) AS i
      LEFT JOIN bucketed b ON b.flow_id = g.flow_id AND b.minute = g.minute AND b.bucket = i
     GROUP BY g.workspace_id, g.flow_id, g.minute
  )
  INSERT INTO flow_minute_stats AS s (workspace_id, flow_id, minute, runs, failures, duration_sum_ms,
                                      duration_min_ms, duration_max_ms, slowest_runs, histogram)
  SELECT f.workspace_id, f.flow_id, f.minute, count(*), count(*) FILTER (WHERE f.status = 'failed'), sum(f.ms),
         min(f.ms), max(f.ms),
         jsonb_path_query_array(jsonb_agg(jsonb_build_object('id', f.id, 'ms', f.ms) ORDER BY f.ms DESC, f.id),
                                '$[0 to ${SLOWEST_KEPT - 1}]'),
         h.histogram
    FROM finished f JOIN histograms h ON h.flow_id = f.flow_id AND h.minute = f.minute
   GROUP BY f.workspace_id, f.flow_id, f.minute, h.histogram
   ORDER BY f.flow_id, f.minute
  ON CONFLICT (flow_id, minute) DO UPDATE
     SET runs = s.runs + excluded.runs, failures = s.failures + excluded.failures,
         duration_sum_ms = s.duration_sum_ms + excluded.duration_sum_ms,
         duration_min_ms = least(s.duration_min_ms, excluded.duration_min_ms),
         duration_max_ms = greatest(s.duration_max_ms, excluded.duration_max_ms),
         slowest_runs = (SELECT jsonb_path_query_array(jsonb_agg(e ORDER BY (e->>'ms')::int DESC, e->>'id'),
                                                       '$[0 to ${SLOWEST_KEPT - 1}]')
                           FROM jsonb_array_elements(s.slowest_runs || excluded.slowest_runs) AS e),
         histogram = ARRAY(SELECT coalesce(a, 0) + coalesce(b, 0)
                             FROM unnest(s.histogram, excluded.histogram) WITH ORDINALITY AS t(a, b, i) ORDER BY i)`;

/** Runs one statement in the transaction that finished the runs (a pg client's or a Prisma transaction's). */
export type ExecuteSql = (sql: string, params: unknown[]) => Promise<unknown>;

/** Adds runs that this transaction finished (succeeded or failed) to their flow's minute rollups. */
export async function rollUpFinishedRuns(execute: ExecuteSql, runIds: string[]): Promise<void> {
  if (runIds.length === 0) return;
  await execute(rollUp({ finishedNow: false }), [runIds]);
}

const ROLL_UP_FINISHED_NOW: PreparedStatement = {
  name: "roll_up_finished_now",
  parameterTypes: ["uuid[]"],
  text: rollUp({ finishedNow: true }),
};

/**
 * The rollup of the runs among `runIds` that the transaction it runs in finishes (the run store sets their
 * finished_at to the transaction's now(), kept to the millisecond), for sending after the commit's statement in the same round trip:
 * a run another transaction finished, or whose commit did not take, is not counted.
 */
export function rollUpRunsFinishedNow(runIds: string[]): Statement {
  return { prepared: ROLL_UP_FINISHED_NOW, values: [runIds] };
}
