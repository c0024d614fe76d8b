-- The alerts and single sign-on migrations each redefined the reseal scan with their own sealed column; the
-- scan covers both.
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
               AND substring(a.secret from 2 for 8) <> current_key_id)
    OR EXISTS (SELECT 1 FROM sso_configs o WHERE o.workspace_id = w.id
               AND substring(o.client_secret from 2 for 8) <> current_key_id))
  ORDER BY w.id LIMIT batch
$$;
