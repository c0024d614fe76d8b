-- Alerts: rules per workspace (the default) and per flow, what they sent, and the intervals that throttle them.
-- The workspace's error flow becomes an alert rule with the "flow" channel (every failure, as before).
-- CreateEnum
CREATE TYPE "alert_event" AS ENUM ('run_failed', 'run_handled_errors', 'trigger_failing', 'run_slow', 'queue_backlog');

-- CreateEnum
CREATE TYPE "alert_channel" AS ENUM ('email', 'slack', 'webhook', 'flow');


-- CreateTable
CREATE TABLE "alert_rules" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "flow_id" UUID,
    "name" TEXT NOT NULL,
    "event" "alert_event" NOT NULL,
    "threshold" INTEGER,
    "channel" "alert_channel" NOT NULL,
    "email_to" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "target_hint" TEXT,
    "secret" BYTEA,
    "target_flow_id" UUID,
    "interval_seconds" INTEGER NOT NULL DEFAULT 600,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_deliveries" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "rule_id" UUID NOT NULL,
    "flow_id" UUID,
    "run_id" UUID,
    "kind" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 1,
    "status" TEXT NOT NULL,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_throttles" (
    "workspace_id" UUID NOT NULL,
    "rule_id" UUID NOT NULL,
    "flow_id" UUID NOT NULL,
    "window_ends_at" TIMESTAMPTZ(3) NOT NULL,
    "suppressed" INTEGER NOT NULL DEFAULT 0,
    "last_run_id" UUID,

    CONSTRAINT "alert_throttles_pkey" PRIMARY KEY ("rule_id","flow_id")
);

-- CreateIndex
CREATE INDEX "alert_rules_workspace_id_event_idx" ON "alert_rules"("workspace_id", "event");

-- CreateIndex
CREATE UNIQUE INDEX "alert_rules_workspace_id_name_key" ON "alert_rules"("workspace_id", "name");

-- CreateIndex
CREATE INDEX "alert_deliveries_workspace_id_created_at_idx" ON "alert_deliveries"("workspace_id", "created_at");

-- CreateIndex
CREATE INDEX "alert_deliveries_rule_id_created_at_idx" ON "alert_deliveries"("rule_id", "created_at");

-- AddForeignKey
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_flow_id_fkey" FOREIGN KEY ("flow_id") REFERENCES "flows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_target_flow_id_fkey" FOREIGN KEY ("target_flow_id") REFERENCES "flows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alert_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_throttles" ADD CONSTRAINT "alert_throttles_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alert_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- The error flow, as a rule: on every failed run (no throttle, as before), start that flow.
INSERT INTO "alert_rules" ("id", "workspace_id", "name", "event", "channel", "target_flow_id", "interval_seconds", "updated_at")
SELECT gen_random_uuid(), w."id", 'Error flow', 'run_failed', 'flow', w."error_flow_id", 0, CURRENT_TIMESTAMP
FROM "workspaces" w JOIN "flows" f ON f."id" = w."error_flow_id"
WHERE w."error_flow_id" IS NOT NULL;

ALTER TABLE "workspaces" DROP COLUMN "error_flow_id";

ALTER TABLE "alert_rules" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "alert_rules" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON "alert_rules" USING (workspace_id = app_workspace_id()) WITH CHECK (workspace_id = app_workspace_id());
ALTER TABLE "alert_deliveries" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "alert_deliveries" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON "alert_deliveries" USING (workspace_id = app_workspace_id()) WITH CHECK (workspace_id = app_workspace_id());
ALTER TABLE "alert_throttles" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "alert_throttles" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON "alert_throttles" USING (workspace_id = app_workspace_id()) WITH CHECK (workspace_id = app_workspace_id());

-- The backlog check runs for every workspace at once: each enabled backlog rule with the flows whose queued
-- runs reach its threshold.
CREATE FUNCTION system_alert_backlogs()
RETURNS TABLE (workspace_id uuid, rule_id uuid, flow_id uuid, queued bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT a.workspace_id, a.id, q.flow_id, q.queued
  FROM alert_rules a
  JOIN LATERAL (
    SELECT r.flow_id, count(*) AS queued FROM runs r
    WHERE r.workspace_id = a.workspace_id AND r.status = 'queued' AND (a.flow_id IS NULL OR r.flow_id = a.flow_id)
    GROUP BY r.flow_id
  ) q ON q.queued >= a.threshold
  WHERE a.event = 'queue_backlog' AND a.enabled AND a.threshold IS NOT NULL
$$;
REVOKE ALL ON FUNCTION system_alert_backlogs() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION system_alert_backlogs() TO tributary_app;

-- Key rotation re-seals alert rules' targets (Slack and webhook URLs, signing secrets) too.
CREATE OR REPLACE FUNCTION system_workspaces_to_reseal(current_key_id bytea, after_id uuid, batch integer)
RETURNS TABLE (workspace_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT w.id FROM workspaces w
  WHERE (after_id IS NULL OR w.id > after_id) AND (
    EXISTS (SELECT 1 FROM secrets s WHERE s.workspace_id = w.id
            AND substring(s.ciphertext from 2 for 8) <> current_key_id)
    OR EXISTS (SELECT 1 FROM connections c WHERE c.workspace_id = w.id AND c.secret_config IS NOT NULL
               AND substring(c.secret_config from 2 for 8) <> current_key_id)
    OR EXISTS (SELECT 1 FROM security_rules r WHERE r.workspace_id = w.id AND r.secret IS NOT NULL
               AND substring(r.secret from 2 for 8) <> current_key_id)
    OR EXISTS (SELECT 1 FROM alert_rules a WHERE a.workspace_id = w.id AND a.secret IS NOT NULL
               AND substring(a.secret from 2 for 8) <> current_key_id))
  ORDER BY w.id LIMIT batch
$$;
