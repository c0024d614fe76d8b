-- The trigger's sample message body saved with a flow's draft (a template brings one). flows already has its
-- forced row-level security policy; a new column needs none of its own.
ALTER TABLE "flows" ADD COLUMN "sample_message" JSONB;
