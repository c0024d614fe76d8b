-- The transaction log (runs, their steps, their messages' keys) is written only by the engine, from the flow it
-- has just read, hundreds of rows a second. A foreign key is checked row by row — a lookup and a lock on the
-- row it names — and these were eight per run of three steps, a fifth of Postgres's time storing it. Kept: the
-- references to the flow (one lock per run, on the row a flow's deletion takes, so no run is stored for a flow
-- being deleted; a workspace's deletion takes its flows with it). Dropped:
--   runs → workspaces, trigger_idempotency_keys → workspaces: the workspace is the transaction's own, checked on
--     every row by the tenant policy (workspace_id = app_workspace_id()), and the flow's; deleted with the flow.
--   runs → flow_versions: a version is deleted only with its flow.
--   step_runs → runs: a run's steps are stored with it in one transaction or, by a worker, only while the run's
--     lease is held (insert_checkpoints locks the run's row as it checks it); deleted with their run by the
--     trigger below, one statement per deletion of runs where the foreign key deleted them row by row.
ALTER TABLE "runs" DROP CONSTRAINT "runs_workspace_id_fkey", DROP CONSTRAINT "runs_flow_version_id_fkey";
ALTER TABLE "trigger_idempotency_keys" DROP CONSTRAINT "trigger_idempotency_keys_workspace_id_fkey";
ALTER TABLE "step_runs" DROP CONSTRAINT "step_runs_run_id_fkey";

-- Runs are only ever deleted inside their workspace's scope (retention, a flow's or a workspace's deletion), so
-- the tenant policy lets this see every step of them.
CREATE FUNCTION delete_steps_of_deleted_runs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "step_runs" s USING deleted_runs d WHERE s."run_id" = d."id";
  RETURN NULL;
END
$$;

CREATE TRIGGER "runs_delete_steps" AFTER DELETE ON "runs"
  REFERENCING OLD TABLE AS deleted_runs
  FOR EACH STATEMENT EXECUTE FUNCTION delete_steps_of_deleted_runs();
