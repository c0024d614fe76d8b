-- Two-factor sign-in (TOTP): the sealed secret, when it was confirmed, the last accepted time step.
ALTER TABLE "users" ADD COLUMN "totp_secret" BYTEA;
ALTER TABLE "users" ADD COLUMN "totp_enabled_at" TIMESTAMPTZ(3);
ALTER TABLE "users" ADD COLUMN "totp_last_step" INTEGER;

-- Single-use recovery codes, hashed. They belong to a user, not a workspace (like users: no tenant policy).
CREATE TABLE "recovery_codes" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "code_hash" TEXT NOT NULL,
    "used_at" TIMESTAMPTZ(3),

    CONSTRAINT "recovery_codes_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "recovery_codes_user_id_code_hash_key" ON "recovery_codes"("user_id", "code_hash");
ALTER TABLE "recovery_codes" ADD CONSTRAINT "recovery_codes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A workspace can require its members to sign in with two factors.
ALTER TABLE "workspaces" ADD COLUMN "require_two_factor" BOOLEAN NOT NULL DEFAULT false;
