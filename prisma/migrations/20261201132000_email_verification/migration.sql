-- Email verification. Accounts made before it existed keep working as they did: they count as verified.
ALTER TABLE "users" ADD COLUMN "email_verified_at" TIMESTAMPTZ(3);
UPDATE "users" SET "email_verified_at" = "created_at" WHERE NOT "is_demo";

-- An invitation whose link went only by mail: accepting it verifies the address.
ALTER TABLE "invites" ADD COLUMN "mailed_at" TIMESTAMPTZ(3);
