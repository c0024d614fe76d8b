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
