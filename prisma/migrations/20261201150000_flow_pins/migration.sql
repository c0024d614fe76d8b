-- Sample messages pinned in the builder (by step id). The flows table's row-level security policy covers it.
ALTER TABLE "flows" ADD COLUMN "pins" JSONB NOT NULL DEFAULT '{}';
