-- CreateEnum
CREATE TYPE "member_role" AS ENUM ('owner', 'admin', 'editor', 'operator', 'viewer');

-- CreateEnum
CREATE TYPE "flow_status" AS ENUM ('active', 'paused');

-- CreateEnum
CREATE TYPE "run_status" AS ENUM ('queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "step_run_status" AS ENUM ('succeeded', 'failed', 'skipped');

-- CreateEnum
CREATE TYPE "security_rule_type" AS ENUM ('basic', 'api_key', 'hmac_standard', 'hmac_header', 'ip_allow');

-- CreateTable
CREATE TABLE "plans" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "runs_per_minute" INTEGER NOT NULL,
    "concurrent_runs" INTEGER NOT NULL,
    "max_message_bytes" INTEGER NOT NULL,
    "code_memory_mb" INTEGER NOT NULL,
    "code_cpu_ms" INTEGER NOT NULL,
    "code_wall_ms" INTEGER NOT NULL,
    "retention_days" INTEGER NOT NULL,
    "run_timeout_seconds" INTEGER NOT NULL,

    CONSTRAINT "plans_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "password_hash" TEXT NOT NULL,
    "session_version" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workspaces" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "plan_id" TEXT NOT NULL DEFAULT 'free',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "allowed_hosts" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "error_flow_id" UUID,
    "secrets_version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "workspaces_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memberships" (
    "workspace_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "role" "member_role" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memberships_pkey" PRIMARY KEY ("workspace_id","user_id")
);

-- CreateTable
CREATE TABLE "invites" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "role" "member_role" NOT NULL,
    "token_hash" TEXT NOT NULL,
    "invited_by_id" UUID,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "accepted_at" TIMESTAMPTZ(3),
    "accepted_by_id" UUID,
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invites_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "actor_id" UUID,
    "actor_email" TEXT,
    "action" TEXT NOT NULL,
    "target_type" TEXT,
    "target_id" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',
    "ip" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "flows" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "status" "flow_status" NOT NULL DEFAULT 'active',
    "draft" JSONB NOT NULL,
    "draft_revision" INTEGER NOT NULL DEFAULT 0,
    "draft_updated_by_id" UUID,
    "current_version_id" UUID,
    "max_concurrent_runs" INTEGER,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "flows_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "flow_versions" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "flow_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "graph" JSONB NOT NULL,
    "compiled" JSONB NOT NULL DEFAULT '{}',
    "published_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "flow_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "runs" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "flow_id" UUID NOT NULL,
    "flow_version_id" UUID NOT NULL,
    "status" "run_status" NOT NULL DEFAULT 'queued',
    "trigger" TEXT NOT NULL,
    "trigger_step_id" TEXT NOT NULL,
    "is_test" BOOLEAN NOT NULL DEFAULT false,
    "message_id" TEXT NOT NULL,
    "input" JSONB NOT NULL,
    "output" JSONB,
    "error" JSONB,
    "pickups" INTEGER NOT NULL DEFAULT 0,
    "parent_run_id" UUID,
    "parent_step_key" TEXT,
    "rerun_of_id" UUID,
    "park" JSONB,
    "wake_at" TIMESTAMPTZ(3),
    "response" JSONB,
    "queued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "picked_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "step_runs" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "activation_key" TEXT NOT NULL,
    "step_id" TEXT NOT NULL,
    "step_type" TEXT NOT NULL,
    "status" "step_run_status" NOT NULL,
    "output_port" TEXT,
    "input" JSONB,
    "output" JSONB,
    "logs" JSONB NOT NULL DEFAULT '[]',
    "error" JSONB,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_ms" INTEGER NOT NULL,

    CONSTRAINT "step_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "connections" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "secret_config" BYTEA,
    "last_checked_at" TIMESTAMPTZ(3),
    "last_check_ok" BOOLEAN,
    "last_check_note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "connections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "secrets" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "ciphertext" BYTEA NOT NULL,
    "updated_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "secrets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "security_rules" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "domain" TEXT NOT NULL DEFAULT 'default',
    "type" "security_rule_type" NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "secret" BYTEA,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "security_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_routes" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "flow_id" UUID NOT NULL,
    "step_id" TEXT NOT NULL,
    "pattern" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "methods" TEXT[],
    "response_mode" TEXT NOT NULL,
    "timeout_seconds" INTEGER NOT NULL,
    "security_rule_ids" TEXT[],
    "is_test" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "webhook_routes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_idempotency" (
    "workspace_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "run_id" UUID NOT NULL,
    "message_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_idempotency_pkey" PRIMARY KEY ("workspace_id","key")
);

-- CreateTable
CREATE TABLE "poll_seen" (
    "workspace_id" UUID NOT NULL,
    "flow_id" UUID NOT NULL,
    "step_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "poll_seen_pkey" PRIMARY KEY ("workspace_id","flow_id","step_id","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "workspaces_slug_key" ON "workspaces"("slug");

-- CreateIndex
CREATE INDEX "memberships_user_id_idx" ON "memberships"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "invites_token_hash_key" ON "invites"("token_hash");

-- CreateIndex
CREATE INDEX "invites_workspace_id_created_at_idx" ON "invites"("workspace_id", "created_at");

-- CreateIndex
CREATE INDEX "audit_events_workspace_id_id_idx" ON "audit_events"("workspace_id", "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "flows_current_version_id_key" ON "flows"("current_version_id");

-- CreateIndex
CREATE INDEX "flows_workspace_id_name_idx" ON "flows"("workspace_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "flow_versions_flow_id_number_key" ON "flow_versions"("flow_id", "number");

-- CreateIndex
CREATE INDEX "runs_workspace_id_id_idx" ON "runs"("workspace_id", "id" DESC);

-- CreateIndex
CREATE INDEX "runs_workspace_id_flow_id_id_idx" ON "runs"("workspace_id", "flow_id", "id" DESC);

-- CreateIndex
CREATE INDEX "runs_workspace_id_status_id_idx" ON "runs"("workspace_id", "status", "id" DESC);

-- CreateIndex
CREATE INDEX "runs_workspace_id_message_id_idx" ON "runs"("workspace_id", "message_id");

-- CreateIndex
CREATE INDEX "runs_parent_run_id_parent_step_key_idx" ON "runs"("parent_run_id", "parent_step_key");

-- CreateIndex
CREATE INDEX "runs_status_queued_at_idx" ON "runs"("status", "queued_at");

-- CreateIndex
CREATE UNIQUE INDEX "step_runs_run_id_activation_key_key" ON "step_runs"("run_id", "activation_key");

-- CreateIndex
CREATE UNIQUE INDEX "connections_workspace_id_name_key" ON "connections"("workspace_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "secrets_workspace_id_name_key" ON "secrets"("workspace_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "security_rules_workspace_id_name_key" ON "security_rules"("workspace_id", "name");

-- CreateIndex
CREATE INDEX "webhook_routes_flow_id_idx" ON "webhook_routes"("flow_id");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_routes_workspace_id_is_test_path_key" ON "webhook_routes"("workspace_id", "is_test", "path");

-- AddForeignKey
ALTER TABLE "workspaces" ADD CONSTRAINT "workspaces_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "plans"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invites" ADD CONSTRAINT "invites_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "flows" ADD CONSTRAINT "flows_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "flows" ADD CONSTRAINT "flows_current_version_id_fkey" FOREIGN KEY ("current_version_id") REFERENCES "flow_versions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "flow_versions" ADD CONSTRAINT "flow_versions_flow_id_fkey" FOREIGN KEY ("flow_id") REFERENCES "flows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_flow_id_fkey" FOREIGN KEY ("flow_id") REFERENCES "flows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_flow_version_id_fkey" FOREIGN KEY ("flow_version_id") REFERENCES "flow_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "step_runs" ADD CONSTRAINT "step_runs_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connections" ADD CONSTRAINT "connections_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "secrets" ADD CONSTRAINT "secrets_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "security_rules" ADD CONSTRAINT "security_rules_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_routes" ADD CONSTRAINT "webhook_routes_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_routes" ADD CONSTRAINT "webhook_routes_flow_id_fkey" FOREIGN KEY ("flow_id") REFERENCES "flows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_idempotency" ADD CONSTRAINT "webhook_idempotency_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "poll_seen" ADD CONSTRAINT "poll_seen_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------------------
-- Tenant isolation (the second wall; the first is the workspace filter in every query of packages/core).
--
-- The app's sessions run as tributary_app: no superuser, no BYPASSRLS, not the owner of the tables, so
-- every policy below applies to it. packages/db sets, per transaction:
--   app.workspace_id  the workspace the work is scoped to
--   app.user_id       the signed-in user (lets a user list their own memberships and workspaces)
-- With neither set, every tenant table answers no rows.
-- ---------------------------------------------------------------------------------------------------------
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tributary_app') THEN
    CREATE ROLE tributary_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;
-- The connecting user switches to tributary_app at connect time (SET ROLE), so it must be a member.
GRANT tributary_app TO CURRENT_USER;

GRANT USAGE ON SCHEMA public TO tributary_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO tributary_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO tributary_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO tributary_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO tributary_app;
DO $$
BEGIN
  -- Prisma's bookkeeping table exists in real databases, not in migrate dev's shadow database.
  IF to_regclass('"_prisma_migrations"') IS NOT NULL THEN
    REVOKE ALL ON "_prisma_migrations" FROM tributary_app;
  END IF;
END
$$;

CREATE FUNCTION app_workspace_id() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.workspace_id', true), '')::uuid $$;
CREATE FUNCTION app_user_id() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;

-- Plans are global reference data; the app reads them and never writes them.
REVOKE INSERT, UPDATE, DELETE ON "plans" FROM tributary_app;
INSERT INTO "plans" ("id", "name", "runs_per_minute", "concurrent_runs", "max_message_bytes", "code_memory_mb", "code_cpu_ms", "code_wall_ms", "retention_days", "run_timeout_seconds") VALUES
  ('free', 'Free', 600, 20, 1048576, 64, 1000, 5000, 30, 3600),
  ('team', 'Team', 6000, 200, 10485760, 128, 5000, 30000, 90, 86400),
  ('demo', 'Demo', 30, 3, 65536, 16, 200, 1000, 1, 300);

ALTER TABLE "workspaces" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "workspaces" FORCE ROW LEVEL SECURITY;
-- A workspace is visible inside its own scope and to its members; only its own scope may change it.
CREATE POLICY workspaces_select ON "workspaces" FOR SELECT USING (
  "id" = app_workspace_id()
  OR "id" IN (SELECT "workspace_id" FROM "memberships" WHERE "user_id" = app_user_id())
);
CREATE POLICY workspaces_insert ON "workspaces" FOR INSERT WITH CHECK ("id" = app_workspace_id());
CREATE POLICY workspaces_update ON "workspaces" FOR UPDATE USING ("id" = app_workspace_id());
CREATE POLICY workspaces_delete ON "workspaces" FOR DELETE USING ("id" = app_workspace_id());

ALTER TABLE "memberships" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "memberships" FORCE ROW LEVEL SECURITY;
-- Users may see their own memberships in every workspace (to list and switch workspaces).
CREATE POLICY memberships_select ON "memberships" FOR SELECT USING (
  "workspace_id" = app_workspace_id() OR "user_id" = app_user_id()
);
CREATE POLICY memberships_write ON "memberships" FOR ALL USING ("workspace_id" = app_workspace_id())
  WITH CHECK ("workspace_id" = app_workspace_id());

-- Every other tenant-owned table: visible and writable only inside its own workspace's scope.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['invites', 'audit_events', 'flows', 'flow_versions', 'runs', 'step_runs', 'connections', 'secrets',
                           'security_rules', 'webhook_routes', 'webhook_idempotency', 'poll_seen']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I USING (workspace_id = app_workspace_id()) WITH CHECK (workspace_id = app_workspace_id())', t);
  END LOOP;
END
$$;

-- The audit log is append-only for the app.
REVOKE UPDATE, DELETE ON "audit_events" FROM tributary_app;
-- Published versions are immutable.
REVOKE UPDATE ON "flow_versions" FROM tributary_app;

-- ---------------------------------------------------------------------------------------------------------
-- The system's own reads across workspaces (the sweeper, retention, fair-queue bookkeeping). Narrow on
-- purpose: ids and numbers only. SECURITY DEFINER runs them as the migration's owner; everything they lead to
-- is then done inside each workspace's own scope.
-- ---------------------------------------------------------------------------------------------------------
CREATE FUNCTION system_runs_to_sweep(stale_before timestamptz, max_rows integer)
RETURNS TABLE (workspace_id uuid, run_id uuid, status run_status, overdue boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT r.workspace_id, r.id, r.status,
         r.status = 'running' AND r.picked_at < now() - make_interval(secs => p.run_timeout_seconds) AS overdue
  FROM runs r
  JOIN workspaces w ON w.id = r.workspace_id
  JOIN plans p ON p.id = w.plan_id
  WHERE (r.status = 'queued' AND r.queued_at < stale_before)
     OR (r.status = 'waiting' AND r.wake_at < stale_before)
     OR (r.status = 'running' AND (r.picked_at < stale_before OR r.picked_at IS NULL))
  ORDER BY r.queued_at
  LIMIT max_rows
$$;

CREATE FUNCTION system_workspace_retention()
RETURNS TABLE (workspace_id uuid, retention_days integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT w.id, p.retention_days FROM workspaces w JOIN plans p ON p.id = w.plan_id
$$;

CREATE FUNCTION system_queued_run_counts()
RETURNS TABLE (workspace_id uuid, queued bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT workspace_id, count(*) FROM runs WHERE status = 'queued' GROUP BY workspace_id
$$;

-- The webhook ingress starts from a URL: which workspace a slug names, and its plan's limits.
CREATE FUNCTION system_webhook_workspace(workspace_slug text)
RETURNS TABLE (workspace_id uuid, plan_id text, runs_per_minute integer, max_message_bytes integer, concurrent_runs integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT w.id, w.plan_id, p.runs_per_minute, p.max_message_bytes, p.concurrent_runs
  FROM workspaces w JOIN plans p ON p.id = w.plan_id WHERE w.slug = workspace_slug
$$;

-- The scheduler reconciles BullMQ's job schedulers with the flows that should have them.
CREATE FUNCTION system_active_schedules()
RETURNS TABLE (workspace_id uuid, flow_id uuid, version_id uuid, graph jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT f.workspace_id, f.id, v.id, v.graph
  FROM flows f JOIN flow_versions v ON v.id = f.current_version_id
  WHERE f.status = 'active' AND (v.graph::text LIKE '%trigger.schedule%' OR v.graph::text LIKE '%trigger.poll%')
$$;

REVOKE ALL ON FUNCTION system_runs_to_sweep(timestamptz, integer), system_workspace_retention(), system_queued_run_counts(),
  system_webhook_workspace(text), system_active_schedules() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION system_runs_to_sweep(timestamptz, integer), system_workspace_retention(), system_queued_run_counts(),
  system_webhook_workspace(text), system_active_schedules() TO tributary_app;
