// The worker's persistence of runs: take a run up, checkpoint finished activations, park, finish. Every
// write is scoped to the run's workspace and idempotent, so a run taken up twice (a worker died) converges.
import { type Db, type SqlClient, scoped, sqlInWorkspace, uuidv7 } from "@tributary/db";
import type { Message, StepRecord } from "@tributary/engine";
import type { Park, RunError, RunStatus } from "./run-views.ts";

export type Checkpoint = StepRecord & {
  stepType: string;
  input: Message | null;
  logs: { level: string; message: string; at: string }[];
  attempt: number;
  startedAt: Date;
  finishedAt: Date;
};

export type RunToExecute = {
  id: string;
  workspaceId: string;
  flowId: string;
  flowVersionId: string;
  status: RunStatus;
  trigger: string;
  triggerStepId: string;
  isTest: boolean;
  input: Message;
  park: Park | null;
  /** Including this one. */
  pickups: number;
  parentRunId: string | null;
  pickedAt: Date;
  records: StepRecord[];
  flowMaxConcurrentRuns: number | null;
  workspace: { allowedHosts: string[]; errorFlowId: string | null; planId: string; secretsVersion: number };
  limits: {
    concurrentRuns: number;
    codeMemoryMb: number;
    codeCpuMs: number;
    codeWallMs: number;
    maxMessageBytes: number;
    runTimeoutSeconds: number;
  };
};

export type Admission = { flowId: string; flowMaxConcurrentRuns: number | null; concurrentRuns: number };

type PickedRow = {
  id: string;
  flow_id: string;
  flow_version_id: string;
  status: RunStatus;
  trigger: string;
  trigger_step_id: string;
  is_test: boolean;
  input: Message;
  park: Park | null;
  pickups: number;
  parent_run_id: string | null;
  max_concurrent_runs: number | null;
  allowed_hosts: string[];
  error_flow_id: string | null;
  plan_id: string;
  secrets_version: number;
  concurrent_runs: number;
  code_memory_mb: number;
  code_cpu_ms: number;
  code_wall_ms: number;
  max_message_bytes: number;
  run_timeout_seconds: number;
};

type StepRow = {
  activation_key: string | null;
  step_id: string;
  status: StepRecord["status"];
  output_port: string | null;
  output: Message | null;
  error: RunError | null;
};

/**
 * Takes a run up for a worker: loads what executing it needs and marks it running (one more pickup), in
 * one transaction. `admit` decides first whether the run may start now (concurrency limits); when it says
 * no, nothing changes. Null when the run is gone or already ended. Plain SQL: this is the hot path.
 */
export async function pickUpRun({
  db,
  workspaceId,
  runId,
  admit,
}: {
  db: Db;
  workspaceId: string;
  runId: string;
  admit: (admission: Admission) => Promise<boolean>;
}): Promise<RunToExecute | "busy" | null> {
  return sqlInWorkspace(db.sql, workspaceId, async (client) => {
    const { rows } = await client.query<PickedRow>(
      `SELECT r.id, r.flow_id, r.flow_version_id, r.status, r.trigger, r.trigger_step_id, r.is_test, r.input, r.park,
              r.pickups, r.parent_run_id, f.max_concurrent_runs, w.allowed_hosts, w.error_flow_id, w.plan_id,
              w.secrets_version, p.concurrent_runs, p.code_memory_mb, p.code_cpu_ms, p.code_wall_ms,
              p.max_message_bytes, p.run_timeout_seconds
         FROM runs r JOIN flows f ON f.id = r.flow_id JOIN workspaces w ON w.id = r.workspace_id JOIN plans p ON p.id = w.plan_id
        WHERE r.id = $1 AND r.workspace_id = $2 AND r.status IN ('queued', 'waiting', 'running')
        FOR UPDATE OF r`,
      [runId, workspaceId],
    );
    const run = rows[0];
    if (!run) return null;
    if (
      !(await admit({
        flowId: run.flow_id,
        flowMaxConcurrentRuns: run.max_concurrent_runs,
        concurrentRuns: run.concurrent_runs,
      }))
    ) {
      return "busy";
    }
    // One statement: mark it taken up, and read its checkpoints.
    const steps = await client.query<StepRow & { picked_at: Date }>(
      `WITH picked AS (
         UPDATE runs SET status = 'running', pickups = pickups + 1, picked_at = now(), started_at = coalesce(started_at, now())
          WHERE id = $1 RETURNING picked_at)
       SELECT s.activation_key, s.step_id, s.status, s.output_port, s.output, s.error, picked.picked_at
         FROM picked LEFT JOIN step_runs s ON s.run_id = $1
        ORDER BY s.finished_at, s.id`,
      [runId],
    );
    const pickedAt = steps.rows[0]?.picked_at ?? new Date();
    const checkpoints = steps.rows.flatMap((step) =>
      step.activation_key === null ? [] : [{ ...step, activation_key: step.activation_key }],
    );
    return {
      id: run.id,
      workspaceId,
      flowId: run.flow_id,
      flowVersionId: run.flow_version_id,
      status: run.status,
      trigger: run.trigger,
      triggerStepId: run.trigger_step_id,
      isTest: run.is_test,
      input: run.input,
      park: run.park,
      pickups: run.pickups + 1,
      parentRunId: run.parent_run_id,
      pickedAt,
      records: checkpoints.map((step) => ({
        key: step.activation_key,
        stepId: step.step_id,
        status: step.status,
        port: step.output_port,
        message: step.output,
        error: step.error,
      })),
      flowMaxConcurrentRuns: run.max_concurrent_runs,
      workspace: {
        allowedHosts: run.allowed_hosts,
        errorFlowId: run.error_flow_id,
        planId: run.plan_id,
        secretsVersion: run.secrets_version,
      },
      limits: {
        concurrentRuns: run.concurrent_runs,
        codeMemoryMb: run.code_memory_mb,
        codeCpuMs: run.code_cpu_ms,
        codeWallMs: run.code_wall_ms,
        maxMessageBytes: run.max_message_bytes,
        runTimeoutSeconds: run.run_timeout_seconds,
      },
    };
  });
}

/** Gives a run back to the queue (its worker is shutting down): another worker resumes it. */
export async function handBackRun({
  db,
  workspaceId,
  runId,
}: {
  db: Db;
  workspaceId: string;
  runId: string;
}): Promise<void> {
  await sqlInWorkspace(db.sql, workspaceId, (client) =>
    client.query("UPDATE runs SET status = 'queued', pickups = pickups - 1 WHERE id = $1 AND status = 'running'", [
      runId,
    ]),
  );
}

export type FlowVersionToRun = {
  id: string;
  graph: unknown;
  compiled: Record<string, { code: string; sourceMap: string }>;
};

export async function loadFlowVersion({
  db,
  workspaceId,
  versionId,
}: {
  db: Db;
  workspaceId: string;
  versionId: string;
}): Promise<FlowVersionToRun> {
  const version = await scoped(db, { workspaceId }, (tx) =>
    tx.flowVersion.findFirstOrThrow({
      where: { id: versionId, workspaceId },
      select: { id: true, graph: true, compiled: true },
    }),
  );
  return { id: version.id, graph: version.graph, compiled: version.compiled as FlowVersionToRun["compiled"] };
}

const INSERT_CHECKPOINTS = `
  INSERT INTO step_runs (id, workspace_id, run_id, activation_key, step_id, step_type, status, output_port, input, output,
                         logs, error, attempt, started_at, finished_at, duration_ms)
  SELECT x.id, x.workspace_id, x.run_id, x.activation_key, x.step_id, x.step_type, x.status::step_run_status, x.output_port,
         x.input, x.output, x.logs, x.error, x.attempt, x.started_at, x.finished_at, x.duration_ms
    FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, workspace_id uuid, run_id uuid, activation_key text, step_id text,
         step_type text, status text, output_port text, input jsonb, output jsonb, logs jsonb, error jsonb, attempt int,
         started_at timestamptz, finished_at timestamptz, duration_ms int)
  ON CONFLICT (run_id, activation_key) DO NOTHING`;

async function insertCheckpoints({
  client,
  workspaceId,
  runId,
  checkpoints,
}: {
  client: SqlClient;
  workspaceId: string;
  runId: string;
  checkpoints: Checkpoint[];
}): Promise<void> {
  if (checkpoints.length === 0) return;
  await client.query(INSERT_CHECKPOINTS, [JSON.stringify(checkpointRows({ workspaceId, runId, checkpoints }))]);
}

function checkpointRows({
  workspaceId,
  runId,
  checkpoints,
}: {
  workspaceId: string;
  runId: string;
  checkpoints: Checkpoint[];
}) {
  return checkpoints.map((c) => ({
    id: uuidv7(),
    workspace_id: workspaceId,
    run_id: runId,
    activation_key: c.key,
    step_id: c.stepId,
    step_type: c.stepType,
    status: c.status,
    output_port: c.port,
    input: c.input,
    output: c.message,
    logs: c.logs,
    error: c.error ?? null,
    attempt: c.attempt,
    started_at: c.startedAt,
    finished_at: c.finishedAt,
    duration_ms: Math.max(0, Math.round(c.finishedAt.getTime() - c.startedAt.getTime())),
  }));
}

/** Writes finished activations. A checkpoint written twice (by a worker that resumed) is kept once. */
export async function saveCheckpoints({
  db,
  workspaceId,
  runId,
  checkpoints,
}: {
  db: Db;
  workspaceId: string;
  runId: string;
  checkpoints: Checkpoint[];
}): Promise<void> {
  if (checkpoints.length === 0) return;
  await sqlInWorkspace(db.sql, workspaceId, (client) => insertCheckpoints({ client, workspaceId, runId, checkpoints }));
}

/** Stores what a respond step answered, for a webhook caller who waits. */
export async function saveRunResponse({
  db,
  workspaceId,
  runId,
  response,
}: {
  db: Db;
  workspaceId: string;
  runId: string;
  response: { status: number; headers: Record<string, string>; body: unknown };
}): Promise<void> {
  await sqlInWorkspace(db.sql, workspaceId, (client) =>
    client.query("UPDATE runs SET response = $2::jsonb WHERE id = $1", [runId, JSON.stringify(response)]),
  );
}

/** Ends a run (unless it was cancelled meanwhile), writing its last checkpoints in the same transaction. */
export async function finishRun({
  db,
  workspaceId,
  runId,
  status,
  output,
  error,
  checkpoints,
}: {
  db: Db;
  workspaceId: string;
  runId: string;
  status: "succeeded" | "failed" | "cancelled";
  output?: Message | null;
  error?: RunError | null;
  checkpoints: Checkpoint[];
}): Promise<boolean> {
  return sqlInWorkspace(db.sql, workspaceId, async (client) => {
    // One statement: the last checkpoints and the run's end.
    const ended = await client.query(
      `WITH saved AS (${INSERT_CHECKPOINTS} RETURNING 1)
       UPDATE runs SET status = $3::run_status, output = $4::jsonb, error = $5::jsonb, finished_at = now(), park = NULL, wake_at = NULL
        WHERE id = $2 AND status IN ('running', 'queued', 'waiting') AND (SELECT count(*) FROM saved) >= 0`,
      [
        JSON.stringify(checkpointRows({ workspaceId, runId, checkpoints })),
        runId,
        status,
        output ? JSON.stringify(output) : null,
        error ? JSON.stringify(error) : null,
      ],
    );
    return ended.rowCount === 1;
  });
}

/** Parks a run in Postgres until `wakeAt`; the caller enqueues the delayed job that wakes it. */
export async function parkRun({
  db,
  workspaceId,
  runId,
  park,
  wakeAt,
  checkpoints,
}: {
  db: Db;
  workspaceId: string;
  runId: string;
  park: Park;
  wakeAt: Date;
  checkpoints: Checkpoint[];
}): Promise<boolean> {
  return sqlInWorkspace(db.sql, workspaceId, async (client) => {
    await insertCheckpoints({ client, workspaceId, runId, checkpoints });
    const parked = await client.query(
      "UPDATE runs SET status = 'waiting', park = $2::jsonb, wake_at = $3 WHERE id = $1 AND status = 'running'",
      [runId, JSON.stringify(park), wakeAt],
    );
    return parked.rowCount === 1;
  });
}

/** The run a call step started before (found again on resume), or null. */
export async function findChildRun({
  db,
  workspaceId,
  parentRunId,
  stepKey,
}: {
  db: Db;
  workspaceId: string;
  parentRunId: string;
  stepKey: string;
}): Promise<{ id: string; status: RunStatus; output: Message | null; error: RunError | null } | null> {
  const child = await scoped(db, { workspaceId }, (tx) =>
    tx.run.findFirst({
      where: { workspaceId, parentRunId, parentStepKey: stepKey },
      select: { id: true, status: true, output: true, error: true },
    }),
  );
  return child
    ? {
        id: child.id,
        status: child.status,
        output: (child.output as unknown as Message | null) ?? null,
        error: (child.error as unknown as RunError | null) ?? null,
      }
    : null;
}

/** The run that called this one and the activation that called it, to wake it when this one ends. */
export async function parentOf({ db, workspaceId, runId }: { db: Db; workspaceId: string; runId: string }) {
  return scoped(db, { workspaceId }, (tx) =>
    tx.run.findFirst({
      where: { id: runId, workspaceId },
      select: { parentRunId: true, parentStepKey: true, flowId: true, status: true },
    }),
  );
}
