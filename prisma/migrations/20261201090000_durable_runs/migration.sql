-- Runs that wait any number of times (issue #12).
-- Only a worker lost while it ran a run counts against it (takeovers, not every pickup); a lease names the
-- worker that holds a running run and until when; a run parks several activations at once (parks, keyed by
-- activation); it keeps a log of its life (parked, woke, taken over); runs whose errors were handled on an
-- error path are marked.
ALTER TABLE "runs" RENAME COLUMN "pickups" TO "takeovers";
UPDATE "runs" SET "takeovers" = 0;
ALTER TABLE "runs" RENAME COLUMN "park" TO "parks";
UPDATE "runs" SET "parks" = jsonb_build_object("parks"->>'key', "parks" - 'key') WHERE "parks" IS NOT NULL;
ALTER TABLE "runs"
  ADD COLUMN "lease_owner" UUID,
  ADD COLUMN "lease_until" TIMESTAMPTZ(3),
  ADD COLUMN "had_errors" BOOLEAN NOT NULL DEFAULT false,
  ADD COLUMN "log" JSONB NOT NULL DEFAULT '[]';
-- Few runs have handled errors: the "had errors" filter reads this small index, and runs without errors cost
-- it nothing.
CREATE INDEX "runs_workspace_id_id_had_errors_idx" ON "runs"("workspace_id", "id" DESC) WHERE "had_errors";

-- Idempotency keys belong to the trigger that received them (flow + trigger step), with a hash of the body they
-- came with, so the same key on another webhook starts its own run and a key repeated with another body is
-- refused. Subscription triggers' message ids live here too.
CREATE TABLE "trigger_idempotency_keys" (
    "workspace_id" UUID NOT NULL,
    "flow_id" UUID NOT NULL,
    "trigger_step_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "body_hash" TEXT NOT NULL,
    "run_id" UUID NOT NULL,
    "message_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "trigger_idempotency_keys_pkey" PRIMARY KEY ("workspace_id","flow_id","trigger_step_id","key")
);
ALTER TABLE "trigger_idempotency_keys" ADD CONSTRAINT "trigger_idempotency_keys_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "trigger_idempotency_keys" ADD CONSTRAINT "trigger_idempotency_keys_flow_id_fkey" FOREIGN KEY ("flow_id") REFERENCES "flows"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "trigger_idempotency_keys" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "trigger_idempotency_keys" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON "trigger_idempotency_keys" USING (workspace_id = app_workspace_id()) WITH CHECK (workspace_id = app_workspace_id());

INSERT INTO "trigger_idempotency_keys" ("workspace_id", "flow_id", "trigger_step_id", "key", "body_hash", "run_id", "message_id", "created_at")
SELECT k."workspace_id", r."flow_id", r."trigger_step_id",
       CASE WHEN k."key" LIKE 'subscription:%' THEN regexp_replace(k."key", '^subscription:[^:]*:[^:]*:', '') ELSE k."key" END,
       '', k."run_id", k."message_id", k."created_at"
  FROM "webhook_idempotency" k JOIN "runs" r ON r."id" = k."run_id"
ON CONFLICT DO NOTHING;
DROP TABLE "webhook_idempotency";

-- Versions are numbered from 1: test runs of a draft use versions numbered below zero, and the first publish
-- after them was numbered 0.
UPDATE "flow_versions" v SET "number" = -1000000 - v."number"
 WHERE v."number" >= 0 AND EXISTS (SELECT 1 FROM "flow_versions" z WHERE z."flow_id" = v."flow_id" AND z."number" = 0);
UPDATE "flow_versions" SET "number" = -("number" + 1000000) + 1 WHERE "number" <= -1000000;

-- The sweeper: a running run is lost when its lease ran out, not when it was taken up long ago; the flow id
-- names the run's concurrency limits in the job it queues.
DROP FUNCTION system_runs_to_sweep(timestamptz, integer);
CREATE FUNCTION system_runs_to_sweep(stale_before timestamptz, max_rows integer)
RETURNS TABLE (workspace_id uuid, flow_id uuid, run_id uuid, status run_status, overdue boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT r.workspace_id, r.flow_id, r.id, r.status,
         r.status = 'running' AND r.picked_at < now() - make_interval(secs => p.run_timeout_seconds) AS overdue
  FROM runs r
  JOIN workspaces w ON w.id = r.workspace_id
  JOIN plans p ON p.id = w.plan_id
  WHERE (r.status = 'queued' AND r.queued_at < stale_before)
     OR (r.status = 'waiting' AND r.wake_at < stale_before)
     OR (r.status = 'running' AND (r.lease_until IS NULL OR r.lease_until < stale_before))
  ORDER BY r.queued_at
  LIMIT max_rows
$$;
REVOKE ALL ON FUNCTION system_runs_to_sweep(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION system_runs_to_sweep(timestamptz, integer) TO tributary_app;

-- Bulk re-runs: a filtered set of runs (e.g. a flow's failed runs since a time) re-run on the current
-- version or their own, by a worker job that keeps its progress here, so the Runs page and the REST API can
-- show it, and a restarted worker goes on where it was.
CREATE TABLE "bulk_reruns" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "filter" JSONB NOT NULL,
    "version" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "total" INTEGER NOT NULL,
    "done" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "cursor" UUID,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "bulk_reruns_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "bulk_reruns_workspace_id_created_at_idx" ON "bulk_reruns"("workspace_id", "created_at");
ALTER TABLE "bulk_reruns" ADD CONSTRAINT "bulk_reruns_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "bulk_reruns" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "bulk_reruns" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON "bulk_reruns" USING (workspace_id = app_workspace_id()) WITH CHECK (workspace_id = app_workspace_id());
-- Which runs a run re-ran: a bulk re-run resumed after a crash skips those it re-ran already.
CREATE INDEX "runs_rerun_of_id_idx" ON "runs"("rerun_of_id") WHERE "rerun_of_id" IS NOT NULL;
