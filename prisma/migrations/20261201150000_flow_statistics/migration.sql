-- Flow statistics: per flow and minute rollups of finished runs and of their steps' time, written by the worker
-- in the transaction that finishes the runs.
CREATE TABLE "flow_minute_stats" (
    "workspace_id" UUID NOT NULL,
    "flow_id" UUID NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "runs" INTEGER NOT NULL,
    "failures" INTEGER NOT NULL,
    "duration_sum_ms" BIGINT NOT NULL,
    "duration_min_ms" INTEGER NOT NULL,
    "duration_max_ms" INTEGER NOT NULL,
    "slowest_runs" JSONB NOT NULL DEFAULT '[]',
    "histogram" INTEGER[],

    CONSTRAINT "flow_minute_stats_pkey" PRIMARY KEY ("flow_id","minute")
);
ALTER TABLE "flow_minute_stats" ADD CONSTRAINT "flow_minute_stats_flow_id_fkey" FOREIGN KEY ("flow_id") REFERENCES "flows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "step_minute_stats" (
    "workspace_id" UUID NOT NULL,
    "flow_id" UUID NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "step_id" TEXT NOT NULL,
    "step_type" TEXT NOT NULL,
    "runs" INTEGER NOT NULL,
    "failures" INTEGER NOT NULL,
    "duration_sum_ms" BIGINT NOT NULL,
    "duration_max_ms" INTEGER NOT NULL,

    CONSTRAINT "step_minute_stats_pkey" PRIMARY KEY ("flow_id","minute","step_id")
);
ALTER TABLE "step_minute_stats" ADD CONSTRAINT "step_minute_stats_flow_id_fkey" FOREIGN KEY ("flow_id") REFERENCES "flows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "flow_minute_stats" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "flow_minute_stats" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON "flow_minute_stats" USING (workspace_id = app_workspace_id()) WITH CHECK (workspace_id = app_workspace_id());
ALTER TABLE "step_minute_stats" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "step_minute_stats" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON "step_minute_stats" USING (workspace_id = app_workspace_id()) WITH CHECK (workspace_id = app_workspace_id());
