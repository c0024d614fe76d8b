-- Workspace API keys for the REST API and the CLI.
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" "member_role" NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" BYTEA NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");
CREATE INDEX "api_keys_workspace_id_created_at_idx" ON "api_keys"("workspace_id", "created_at");
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------------------
ALTER TABLE "api_keys" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "api_keys" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON "api_keys" USING (workspace_id = app_workspace_id()) WITH CHECK (workspace_id = app_workspace_id());

-- A key names its workspace only through its prefix: found here, before any workspace scope exists.
CREATE FUNCTION system_api_key(key_prefix text)
RETURNS TABLE (id uuid, workspace_id uuid, name text, role member_role, hash bytea, expires_at timestamptz, revoked_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT k.id, k.workspace_id, k.name, k.role, k.hash, k.expires_at, k.revoked_at FROM api_keys k WHERE k.prefix = key_prefix
$$;
REVOKE ALL ON FUNCTION system_api_key(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION system_api_key(text) TO tributary_app;
