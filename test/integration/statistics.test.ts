// Flow statistics end to end: a real worker runs a flow with known failures, and the minute rollups it wrote
// in the transactions that finished the runs are checked against the runs and step runs tables themselves;
// then the statistics read from them (core, tRPC and REST) against the same truth.
import { deleteExpiredRuns, getFlowStatistics, startRun } from "@tributary/core";
import { sqlInWorkspace } from "@tributary/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedWorkspace } from "../factories/seed.ts";
import { callerFor, outcome, restHandlerFor } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph, publishedFlow, waitForRun } from "../support/run-helpers.ts";
import { startWorker, type WorkerProcess } from "../support/worker-process.ts";

const env = useTestEnvironment();
let worker: WorkerProcess;

beforeAll(async () => {
  worker = await startWorker({ databaseUrl: env.databaseUrl, redisPrefix: env.redisPrefix });
});
afterAll(async () => {
  await worker?.stop();
});

const RUNS = 24;
const failing = (n: number) => n % 4 === 1;
const DURATION_MS = "greatest(0, round(extract(epoch FROM finished_at - coalesce(started_at, queued_at)) * 1000))::int";

describe("flow statistics", () => {
  it("rolls up every finished run once, matching the runs table, and reads them back", async () => {
    const { workspace, owner } = await seedWorkspace({ db: env.db });
    const flowId = await publishedFlow({
      db: env.db,
      workspaceId: workspace.id,
      actor: owner.actor,
      graph: graph(
        [
          ["start", "trigger.manual"],
          ["shape", "data.transform", { expression: "{ 'n': n, 'fail': fail }" }],
          [
            "check",
            "code.typescript",
            { source: "export default (m) => { if (m.body.fail) throw new Error('asked to fail'); return m.body; }" },
          ],
        ],
        [
          ["start", "shape"],
          ["shape", "check"],
        ],
      ),
    });
    const runIds = await Promise.all(
      Array.from({ length: RUNS }, async (_, n) => {
        const started = await startRun({
          db: env.db,
          queue: env.queue,
          workspaceId: workspace.id,
          flowId,
          trigger: "manual",
          body: { n, fail: failing(n) },
        });
        return started.runId;
      }),
    );
    const ended = await Promise.all(
      runIds.map((runId) => waitForRun({ db: env.db, workspaceId: workspace.id, runId })),
    );
    const failures = Array.from({ length: RUNS }, (_, n) => n).filter(failing).length;
    expect(ended.filter((run) => run.status === "failed")).toHaveLength(failures);

    const truth = await sqlInWorkspace(env.db.sql, workspace.id, async (client) => {
      const perMinute = await client.query<{
        minute: Date;
        runs: number;
        failures: number;
        sum: string;
        min: number;
        max: number;
      }>(
        `SELECT date_trunc('minute', finished_at) AS minute, count(*)::int AS runs,
                count(*) FILTER (WHERE status = 'failed')::int AS failures, sum(${DURATION_MS})::text AS sum,
                min(${DURATION_MS}) AS min, max(${DURATION_MS}) AS max
           FROM runs WHERE flow_id = $1 GROUP BY 1 ORDER BY 1`,
        [flowId],
      );
      const durations = await client.query<{ id: string; ms: number; minute: Date }>(
        `SELECT id, ${DURATION_MS} AS ms, date_trunc('minute', finished_at) AS minute FROM runs WHERE flow_id = $1 ORDER BY 2`,
        [flowId],
      );
      const steps = await client.query<{ step_id: string; runs: number; failures: number; sum: string; max: number }>(
        `SELECT step_id, count(*)::int AS runs, count(*) FILTER (WHERE status = 'failed')::int AS failures,
                sum(duration_ms)::text AS sum, max(duration_ms) AS max
           FROM step_runs WHERE run_id = ANY($1::uuid[]) AND status <> 'skipped' GROUP BY 1 ORDER BY 1`,
        [runIds],
      );
      const rollups = await client.query<{
        minute: Date;
        runs: number;
        failures: number;
        sum: string;
        min: number;
        max: number;
        slowest: { id: string; ms: number }[];
        counted: number;
      }>(
        `SELECT minute, runs, failures, duration_sum_ms::text AS sum, duration_min_ms AS min, duration_max_ms AS max,
                slowest_runs AS slowest, (SELECT sum(n)::int FROM unnest(histogram) AS n) AS counted
           FROM flow_minute_stats WHERE flow_id = $1 ORDER BY minute`,
        [flowId],
      );
      const stepRollups = await client.query<{
        step_id: string;
        runs: number;
        failures: number;
        sum: string;
        max: number;
      }>(
        `SELECT step_id, sum(runs)::int AS runs, sum(failures)::int AS failures, sum(duration_sum_ms)::text AS sum,
                max(duration_max_ms) AS max
           FROM step_minute_stats WHERE flow_id = $1 GROUP BY 1 ORDER BY 1`,
        [flowId],
      );
      return {
        perMinute: perMinute.rows,
        durations: durations.rows,
        steps: steps.rows,
        rollups: rollups.rows,
        stepRollups: stepRollups.rows,
      };
    });

    // One rollup row per minute in which runs ended, each equal to those runs.
    expect(
      truth.rollups.map(({ minute, runs, failures, sum, min, max }) => ({ minute, runs, failures, sum, min, max })),
    ).toEqual(truth.perMinute);
    for (const row of truth.rollups) {
      expect(row.counted).toBe(row.runs);
      // Its five slowest runs, slowest first, each with its own duration.
      const ofMinute = truth.durations.filter((d) => d.minute.getTime() === row.minute.getTime());
      const topMs = ofMinute
        .map((d) => d.ms)
        .sort((a, b) => b - a)
        .slice(0, 5);
      expect(row.slowest.map((run) => run.ms)).toEqual(topMs);
      for (const run of row.slowest) expect(ofMinute.find((d) => d.id === run.id)?.ms).toBe(run.ms);
    }
    expect(truth.stepRollups).toEqual(truth.steps);
    expect(truth.stepRollups.map((s) => s.step_id)).toEqual(["check", "shape", "start"]);
    expect(truth.stepRollups.find((s) => s.step_id === "check")?.failures).toBe(failures);

    // Read back: the hour's summary is the runs table's, the p95 within one histogram bucket of the exact one.
    const statistics = await getFlowStatistics({ db: env.db, workspaceId: workspace.id, flowId, period: "1h" });
    const ms = truth.durations.map((d) => d.ms);
    const total = ms.reduce((a, b) => a + b, 0);
    const exactP95 = ms[Math.ceil(0.95 * ms.length) - 1] ?? 0;
    expect(statistics.summary["1h"]).toMatchObject({
      runs: RUNS,
      failures,
      minMs: ms[0],
      maxMs: ms.at(-1),
      meanMs: Math.round(total / RUNS),
    });
    const p95 = statistics.summary["1h"].p95Ms ?? -1;
    expect(p95).toBeGreaterThanOrEqual(ms[0] ?? 0);
    expect(p95).toBeLessThanOrEqual(ms.at(-1) ?? 0);
    expect(Math.abs(p95 - exactP95)).toBeLessThanOrEqual(0.25 * exactP95 + 1);
    expect(statistics.summary["24h"]).toEqual(statistics.summary["1h"]);
    expect(statistics.summary["7d"]).toEqual(statistics.summary["1h"]);
    expect(statistics.series.reduce((sum, point) => sum + point.runs, 0)).toBe(RUNS);
    expect(statistics.series.reduce((sum, point) => sum + point.failures, 0)).toBe(failures);
    const kept = truth.rollups.reduce((sum, row) => sum + row.slowest.length, 0);
    expect(statistics.slowestRuns).toHaveLength(Math.min(10, kept));
    expect(statistics.slowestRuns[0]).toMatchObject({ durationMs: ms.at(-1) });
    const listed = statistics.slowestRuns.map((run) => run.durationMs);
    expect(listed).toEqual([...listed].sort((a, b) => b - a));
    for (const run of statistics.slowestRuns)
      expect(truth.durations.find((d) => d.id === run.runId)?.ms).toBe(run.durationMs);
    expect(statistics.steps.map((s) => s.totalMs)).toEqual(
      [...statistics.steps.map((s) => s.totalMs)].sort((a, b) => b - a),
    );
    expect(statistics.steps.find((s) => s.stepId === "check")).toMatchObject({
      stepType: "code.typescript",
      runs: RUNS,
      failures,
    });

    // The same through tRPC and REST; another workspace cannot read them.
    const asOwner = callerFor({ env, user: owner });
    const viaTrpc = await asOwner.flows.statistics({ workspaceId: workspace.id, flowId, period: "1h" });
    expect(viaTrpc.summary).toEqual(statistics.summary);
    const { key } = await asOwner.apiKeys.create({ workspaceId: workspace.id, name: "stats", role: "viewer" });
    const rest = restHandlerFor({ env });
    const answer = await rest(
      new Request(`http://localhost/api/v1/flows/${flowId}/statistics?period=7d`, {
        headers: { authorization: `Bearer ${key}` },
      }),
    );
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { period: string; summary: unknown; series: { runs: number }[] };
    expect(body.period).toBe("7d");
    expect(body.summary).toEqual(statistics.summary);
    expect(body.series.reduce((sum, point) => sum + point.runs, 0)).toBe(RUNS);
    const other = await seedWorkspace({ db: env.db });
    expect(
      await outcome(
        callerFor({ env, user: other.owner }).flows.statistics({ workspaceId: other.workspace.id, flowId }),
      ),
    ).toBe("NOT_FOUND");
  });

  it("keeps rollups for the last week (and a day) with the retention sweep, whatever the runs' retention", async () => {
    const { workspace, owner } = await seedWorkspace({ db: env.db });
    const flowId = await publishedFlow({
      db: env.db,
      workspaceId: workspace.id,
      actor: owner.actor,
      graph: graph([["start", "trigger.manual"]], []),
    });
    const minutes = { old: new Date(Date.now() - 9 * 86_400_000), recent: new Date(Date.now() - 6 * 86_400_000) };
    const remaining = () =>
      sqlInWorkspace(env.db.sql, workspace.id, async (client) => {
        const { rows } = await client.query<{ flows: number; steps: number }>(
          `SELECT (SELECT count(*)::int FROM flow_minute_stats WHERE flow_id = $1) AS flows,
                  (SELECT count(*)::int FROM step_minute_stats WHERE flow_id = $1) AS steps`,
          [flowId],
        );
        return rows[0];
      });
    await sqlInWorkspace(env.db.sql, workspace.id, async (client) => {
      for (const minute of Object.values(minutes)) {
        await client.query(
          `INSERT INTO flow_minute_stats (workspace_id, flow_id, minute, runs, failures, duration_sum_ms,
                                          duration_min_ms, duration_max_ms, slowest_runs, histogram)
           VALUES ($1, $2, date_trunc('minute', $3::timestamptz), 1, 0, 5, 5, 5, '[]', '{1}')`,
          [workspace.id, flowId, minute],
        );
        await client.query(
          `INSERT INTO step_minute_stats (workspace_id, flow_id, minute, step_id, step_type, runs, failures,
                                          duration_sum_ms, duration_max_ms)
           VALUES ($1, $2, date_trunc('minute', $3::timestamptz), 'start', 'trigger.manual', 1, 0, 1, 1)`,
          [workspace.id, flowId, minute],
        );
      }
    });
    expect(await remaining()).toEqual({ flows: 2, steps: 2 });
    await deleteExpiredRuns({ db: env.db });
    expect(await remaining()).toEqual({ flows: 1, steps: 1 });
    const statistics = await getFlowStatistics({ db: env.db, workspaceId: workspace.id, flowId, period: "7d" });
    expect(statistics.summary["7d"]).toMatchObject({ runs: 1, minMs: 5, maxMs: 5 });
  });
});
