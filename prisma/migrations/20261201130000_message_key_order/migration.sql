-- Messages keep the order of their keys: json stores the text as written, jsonb reorders keys (by length, then
-- bytes). Rows stored before this already lost their order; they convert as they are.
ALTER TABLE "runs"
  ALTER COLUMN "input" TYPE JSON USING "input"::json,
  ALTER COLUMN "output" TYPE JSON USING "output"::json,
  ALTER COLUMN "response" TYPE JSON USING "response"::json;

ALTER TABLE "step_runs"
  ALTER COLUMN "input" TYPE JSON USING "input"::json,
  ALTER COLUMN "output" TYPE JSON USING "output"::json;
