-- Dead letters: failed runs of queue, stream and poll triggers are listed from the runs; this table keeps what
-- was done with one (replayed, discarded). Poll triggers' seen keys are pruned by age, per trigger.
CREATE TABLE "dead_letters" (
    "run_id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "flow_id" UUID NOT NULL,
    "state" TEXT NOT NULL,
    "replay_run_id" UUID,
    "actor_id" UUID,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dead_letters_pkey" PRIMARY KEY ("run_id"),
    CONSTRAINT "dead_letters_state_check" CHECK ("state" IN ('replayed', 'discarded'))
);
CREATE INDEX "dead_letters_workspace_id_flow_id_idx" ON "dead_letters"("workspace_id", "flow_id");
CREATE INDEX "dead_letters_replay_run_id_idx" ON "dead_letters"("replay_run_id");
ALTER TABLE "dead_letters" ADD CONSTRAINT "dead_letters_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "dead_letters" ADD CONSTRAINT "dead_letters_replay_run_id_fkey" FOREIGN KEY ("replay_run_id") REFERENCES "runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "dead_letters" ADD CONSTRAINT "dead_letters_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "dead_letters" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "dead_letters" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON "dead_letters" USING (workspace_id = app_workspace_id()) WITH CHECK (workspace_id = app_workspace_id());

CREATE INDEX "poll_seen_flow_id_step_id_seen_at_idx" ON "poll_seen"("flow_id", "step_id", "seen_at");
