-- The subscription triggers (broker consumers, pollers) of active flows' published versions, across
-- workspaces, for the workers that hold them.
CREATE FUNCTION system_active_subscriptions(trigger_types text[])
RETURNS TABLE (workspace_id uuid, flow_id uuid, version_id uuid, graph jsonb, plan_id text, allowed_hosts text[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT f.workspace_id, f.id, v.id, v.graph, w.plan_id, w.allowed_hosts
  FROM flows f
  JOIN flow_versions v ON v.id = f.current_version_id
  JOIN workspaces w ON w.id = f.workspace_id
  WHERE f.status = 'active'
    AND EXISTS (SELECT 1 FROM jsonb_array_elements(v.graph->'steps') AS s WHERE s->>'type' = ANY (trigger_types))
$$;

REVOKE ALL ON FUNCTION system_active_subscriptions(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION system_active_subscriptions(text[]) TO tributary_app;
