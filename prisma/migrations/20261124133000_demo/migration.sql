-- Demo sandboxes: visitors without accounts, workspaces deleted after a day without activity.
ALTER TABLE "users" ADD COLUMN "is_demo" BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE "workspaces" ADD COLUMN "is_demo" BOOLEAN NOT NULL DEFAULT false,
  ADD COLUMN "last_active_at" TIMESTAMPTZ(3);

CREATE INDEX "workspaces_is_demo_last_active_at_idx" ON "workspaces"("is_demo", "last_active_at");

-- ---------------------------------------------------------------------------------------------------------
-- The worker's cleanup, across tenants: one batch of demo workspaces idle since `idle_before` is deleted
-- with everything they own (foreign keys cascade) and with their demo visitors. Returns the deleted ids, for
-- the worker to clear their Redis keys.
CREATE FUNCTION system_delete_idle_demos(idle_before timestamptz, batch integer)
RETURNS TABLE (workspace_id uuid)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
  WITH idle AS (
    SELECT w.id FROM workspaces w
    WHERE w.is_demo AND coalesce(w.last_active_at, w.created_at) < idle_before
    ORDER BY w.id LIMIT batch
    FOR UPDATE SKIP LOCKED
  ), visitors AS (
    SELECT m.user_id FROM memberships m JOIN idle ON idle.id = m.workspace_id
  ), deleted_visitors AS (
    DELETE FROM users u USING visitors v WHERE u.id = v.user_id AND u.is_demo RETURNING u.id
  ), deleted AS (
    DELETE FROM workspaces w USING idle WHERE w.id = idle.id RETURNING w.id
  )
  SELECT deleted.id FROM deleted
$$;

REVOKE ALL ON FUNCTION system_delete_idle_demos(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION system_delete_idle_demos(timestamptz, integer) TO tributary_app;
