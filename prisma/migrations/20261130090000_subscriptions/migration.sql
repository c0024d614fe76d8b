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

-- Where a polling subscription trigger (new rows of a table) has read up to.
CREATE TABLE "trigger_cursors" (
    "workspace_id" UUID NOT NULL,
    "flow_id" UUID NOT NULL,
    "step_id" TEXT NOT NULL,
    "cursor" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "trigger_cursors_pkey" PRIMARY KEY ("workspace_id","flow_id","step_id")
);

ALTER TABLE "trigger_cursors" ADD CONSTRAINT "trigger_cursors_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "trigger_cursors" ADD CONSTRAINT "trigger_cursors_flow_id_fkey" FOREIGN KEY ("flow_id") REFERENCES "flows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "trigger_cursors" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "trigger_cursors" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON "trigger_cursors" USING (workspace_id = app_workspace_id()) WITH CHECK (workspace_id = app_workspace_id());
