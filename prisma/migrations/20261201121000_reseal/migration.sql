-- Re-sealing secrets under the current encryption key visits every workspace: their ids, in pages, for jobs
-- that then work inside each workspace's own scope.
CREATE FUNCTION system_workspace_ids(after_id uuid, batch integer)
RETURNS TABLE (workspace_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT w.id FROM workspaces w WHERE after_id IS NULL OR w.id > after_id ORDER BY w.id LIMIT batch
$$;

REVOKE ALL ON FUNCTION system_workspace_ids(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION system_workspace_ids(uuid, integer) TO tributary_app;
