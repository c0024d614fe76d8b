-- The ports listener triggers (HL7 MLLP) hold: one per trigger across the installation, from the operator's
-- range, kept while the trigger exists (also while its flow is paused) so senders can stay configured.
CREATE TABLE "listener_ports" (
    "port" INTEGER NOT NULL,
    "workspace_id" UUID NOT NULL,
    "flow_id" UUID NOT NULL,
    "step_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "listener_ports_pkey" PRIMARY KEY ("port")
);

CREATE UNIQUE INDEX "listener_ports_flow_id_step_id_key" ON "listener_ports"("flow_id", "step_id");
CREATE INDEX "listener_ports_workspace_id_idx" ON "listener_ports"("workspace_id");

ALTER TABLE "listener_ports" ADD CONSTRAINT "listener_ports_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "listener_ports" ADD CONSTRAINT "listener_ports_flow_id_fkey" FOREIGN KEY ("flow_id") REFERENCES "flows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "listener_ports" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "listener_ports" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON "listener_ports" USING (workspace_id = app_workspace_id()) WITH CHECK (workspace_id = app_workspace_id());

-- The trigger's port: the one it holds if that is within [low, high], else the lowest free one there (null
-- when none is). Ports are shared by all workspaces, so this looks across them; a lock keeps two workers
-- from taking the same free port at once.
CREATE FUNCTION system_listener_port(p_workspace uuid, p_flow uuid, p_step text, p_low int, p_high int)
RETURNS int LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  chosen int;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('listener_ports'));
  SELECT port INTO chosen FROM listener_ports WHERE flow_id = p_flow AND step_id = p_step;
  IF chosen IS NOT NULL AND chosen BETWEEN p_low AND p_high THEN
    RETURN chosen;
  END IF;
  DELETE FROM listener_ports WHERE flow_id = p_flow AND step_id = p_step;
  SELECT candidate INTO chosen FROM generate_series(p_low, p_high) AS candidate
    WHERE NOT EXISTS (SELECT 1 FROM listener_ports WHERE port = candidate)
    ORDER BY candidate LIMIT 1;
  IF chosen IS NOT NULL THEN
    INSERT INTO listener_ports (port, workspace_id, flow_id, step_id) VALUES (chosen, p_workspace, p_flow, p_step);
  END IF;
  RETURN chosen;
END $$;

-- Frees the ports of triggers that are gone from their flow's published version (the flow's deletion frees
-- them by cascade).
CREATE FUNCTION system_prune_listener_ports(trigger_types text[])
RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  DELETE FROM listener_ports lp WHERE NOT EXISTS (
    SELECT 1 FROM flows f JOIN flow_versions v ON v.id = f.current_version_id
    WHERE f.id = lp.flow_id
      AND EXISTS (
        SELECT 1 FROM jsonb_array_elements(v.graph->'steps') AS s
        WHERE s->>'id' = lp.step_id AND s->>'type' = ANY (trigger_types)
      )
  )
$$;

REVOKE ALL ON FUNCTION system_listener_port(uuid, uuid, text, int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION system_listener_port(uuid, uuid, text, int, int) TO tributary_app;
REVOKE ALL ON FUNCTION system_prune_listener_ports(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION system_prune_listener_ports(text[]) TO tributary_app;
