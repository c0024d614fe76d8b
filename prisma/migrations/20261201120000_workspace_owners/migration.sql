-- A workspace never outlives its members silently: when its last membership goes (a user deleted, say), the
-- workspace goes with everything it owns; a change that would leave members but no owner is refused, naming
-- the workspace. Deleting the workspace itself (its memberships cascade) passes untouched.
CREATE FUNCTION enforce_workspace_owner() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  ws workspaces%ROWTYPE;
BEGIN
  IF OLD.role <> 'owner' THEN RETURN NULL; END IF;
  IF TG_OP = 'UPDATE' AND NEW.role = 'owner' THEN RETURN NULL; END IF;
  SELECT * INTO ws FROM workspaces WHERE id = OLD.workspace_id;
  IF NOT FOUND THEN RETURN NULL; END IF;
  IF EXISTS (SELECT 1 FROM memberships WHERE workspace_id = OLD.workspace_id AND role = 'owner') THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM memberships WHERE workspace_id = OLD.workspace_id) THEN
    DELETE FROM workspaces WHERE id = OLD.workspace_id;
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'Workspace "%" (%) would be left without an owner: make another member owner first, or delete the workspace.',
    ws.name, ws.slug USING ERRCODE = 'check_violation';
END
$$;

CREATE TRIGGER memberships_keep_an_owner
  AFTER DELETE OR UPDATE OF role ON memberships
  FOR EACH ROW EXECUTE FUNCTION enforce_workspace_owner();

-- The demo cleanup also deletes every workspace its visitors owned alone (made before sign-up was required
-- to create one), so nothing a demo made outlives it, and visitors a day old left without any workspace.
-- Returns every deleted workspace, for the Redis keys.
CREATE OR REPLACE FUNCTION system_delete_idle_demos(idle_before timestamptz, batch integer)
RETURNS TABLE (workspace_id uuid)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
  WITH idle AS (
    SELECT w.id FROM workspaces w
    WHERE w.is_demo AND coalesce(w.last_active_at, w.created_at) < idle_before
    ORDER BY w.id LIMIT batch
    FOR UPDATE SKIP LOCKED
  ), visitors AS (
    SELECT m.user_id FROM memberships m JOIN idle ON idle.id = m.workspace_id
    JOIN users u ON u.id = m.user_id AND u.is_demo
  ), stray_visitors AS (
    SELECT u.id FROM users u
    WHERE u.is_demo AND u.created_at < idle_before
      AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id)
    LIMIT batch
  ), owned_by_visitors AS (
    SELECT m.workspace_id AS id FROM memberships m JOIN visitors v ON v.user_id = m.user_id
    WHERE m.role = 'owner' AND NOT EXISTS (
      SELECT 1 FROM memberships o
      WHERE o.workspace_id = m.workspace_id AND o.role = 'owner'
        AND o.user_id NOT IN (SELECT user_id FROM visitors)
    )
  ), doomed AS (
    SELECT id FROM idle UNION SELECT id FROM owned_by_visitors
  ), deleted_visitors AS (
    DELETE FROM users u
    WHERE u.id IN (SELECT user_id FROM visitors UNION SELECT id FROM stray_visitors) RETURNING u.id
  ), deleted AS (
    DELETE FROM workspaces w USING doomed WHERE w.id = doomed.id RETURNING w.id
  )
  SELECT deleted.id FROM deleted
$$;
