-- One way to keep sample data: a template's sample message is the trigger's pin. A sample saved in the old
-- column becomes the pin of the draft's trigger (a step nothing leads into, a `trigger.*` one first), unless that
-- trigger already has a pin; then the column goes. Runs as the migration's owner role, past the flows policy.
UPDATE "flows" AS f
SET "pins" = jsonb_build_object(t.step_id, jsonb_build_object('body', f."sample_message", 'headers', '[]'::jsonb)) || f."pins"
FROM (
  SELECT DISTINCT ON (flow.id) flow.id AS flow_id, step.value->>'id' AS step_id
  FROM "flows" AS flow
  CROSS JOIN LATERAL jsonb_array_elements(flow."draft"->'steps') WITH ORDINALITY AS step(value, n)
  WHERE flow."sample_message" IS NOT NULL
    AND step.value->>'id' IS NOT NULL
    AND NOT EXISTS (
      SELECT 1 FROM jsonb_array_elements(flow."draft"->'edges') AS edge(value)
      WHERE edge.value->>'to' = step.value->>'id'
    )
  ORDER BY flow.id, (step.value->>'type' LIKE 'trigger.%') DESC, step.n
) AS t
WHERE f.id = t.flow_id;

ALTER TABLE "flows" DROP COLUMN "sample_message";
