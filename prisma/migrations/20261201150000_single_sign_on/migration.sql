-- Single sign-on (OpenID Connect) per workspace: the provider and client (secret sealed), allowed domains, the
-- mapping of groups to roles, whether members must use it; and the people of the provider linked to accounts.
CREATE TABLE "sso_configs" (
    "workspace_id" UUID NOT NULL,
    "issuer" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "client_secret" BYTEA NOT NULL,
    "allowed_domains" TEXT[],
    "groups_claim" TEXT NOT NULL DEFAULT 'groups',
    "role_mappings" JSONB NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "require_sso" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sso_configs_pkey" PRIMARY KEY ("workspace_id")
);
ALTER TABLE "sso_configs" ADD CONSTRAINT "sso_configs_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "sso_identities" (
    "workspace_id" UUID NOT NULL,
    "subject" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_sign_in_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sso_identities_pkey" PRIMARY KEY ("workspace_id", "subject")
);
CREATE UNIQUE INDEX "sso_identities_workspace_id_user_id_key" ON "sso_identities"("workspace_id", "user_id");
ALTER TABLE "sso_identities" ADD CONSTRAINT "sso_identities_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "sso_identities" ADD CONSTRAINT "sso_identities_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------------------
ALTER TABLE "sso_configs" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "sso_configs" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON "sso_configs" USING (workspace_id = app_workspace_id()) WITH CHECK (workspace_id = app_workspace_id());
ALTER TABLE "sso_identities" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "sso_identities" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON "sso_identities" USING (workspace_id = app_workspace_id()) WITH CHECK (workspace_id = app_workspace_id());

-- "Sign in with SSO" starts before any workspace scope: the workspaces whose enabled single sign-on a typed
-- workspace slug or an email's domain names. Ids only; the configuration is then read in each one's scope.
CREATE FUNCTION system_sso_workspaces(workspace_slug text, email_domain text)
RETURNS TABLE (workspace_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT c.workspace_id FROM sso_configs c JOIN workspaces w ON w.id = c.workspace_id
  WHERE c.enabled AND (w.slug = workspace_slug OR email_domain = ANY (c.allowed_domains))
  ORDER BY w.slug LIMIT 10
$$;
REVOKE ALL ON FUNCTION system_sso_workspaces(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION system_sso_workspaces(text, text) TO tributary_app;

-- Key rotation re-seals the single sign-on client secrets too: the workspaces to visit include those whose
-- client secret is sealed with another key.
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
    OR EXISTS (SELECT 1 FROM sso_configs o WHERE o.workspace_id = w.id
               AND substring(o.client_secret from 2 for 8) <> current_key_id))
  ORDER BY w.id LIMIT batch
$$;
