// The worker's persistence of runs: take runs up, and commit what they did — checkpoints, a response, a park,
// an end — in batches of one workspace (the worker group-commits concurrent runs). A worker holds a run by a
// lease (a token per pickup, renewed by every commit); writes of a worker whose lease was taken over are
// refused, so a run taken up twice never has two writers. Plain SQL: this is the hot path.
import {
  type Db,
  type PreparedStatement,
  type SqlClient,
  type Statement,
  scoped,
  sqlInWorkspace,
  sqlStatementInWorkspace,
  sqlStatementsInWorkspace,
  uuidv7,
} from "@tributary/db";
import type { Message, StepRecord } from "@tributary/engine";
import { rollUpRunsFinishedNow } from "../statistics/roll-up-runs.ts";
import { claimKeysStatement, KEY_PROBE, type KeyClaim, keyIdOf } from "./idempotency-keys.ts";
import type { Parks, RunError, RunLogEntry, RunStatus } from "./run-views.ts";
import { parentRunOf, rowOfRun, runsById } from "./runs-by-id.ts";
import { packStepMessages, unpackStepMessages } from "./step-messages.ts";

export type Checkpoint = StepRecord & {
  stepType: string;
  input: Message | null;
  logs: { level: string; message: string; at: string }[];
  attempt: number;
  startedAt: Date;
  finishedAt: Date;
};

export type RunResponse = { status: number; headers: Record<string, string>; body: unknown };

export type RunToExecute = {
  id: string;
  workspaceId: string;
  flowId: string;
  flowVersionId: string;
  trigger: string;
  triggerStepId: string;
  isTest: boolean;
  input: Message;
  /** The activations it parked, when it was waiting. */
  parks: Parks;
  /** Times a worker was lost while running it, this pickup included when it is a takeover. */
  takeovers: number;
  /** This pickup took the run over from a worker that was lost. */
  takenOver: boolean;
  /** This pickup's lease token: every commit names it. */
  owner: string;
  parentRunId: string | null;
  parentFlowId: string | null;
  pickedAt: Date;
  records: StepRecord[];
  workspace: { allowedHosts: string[]; planId: string; secretsVersion: number };
  limits: {
    codeMemoryMb: number;
    codeCpuMs: number;
    codeWallMs: number;
    maxMessageBytes: number;
    runTimeoutSeconds: number;
  };
};

/** Why a run was not taken up: another worker holds it (try again later), or it is gone or ended. */
export type NotPickedUp = "held" | "gone";

type PickedRow = RunContextRow & {
  id: string;
  previous: RunStatus;
  flow_id: string;
  flow_version_id: string;
  trigger: string;
  trigger_step_id: string;
  is_test: boolean;
  input: Message;
  parks: Parks | null;
  takeovers: number;
  parent_run_id: string | null;
  parent_flow_id: string | null;
  picked_at: Date;
  /** Its steps as stored: their messages packed (step-messages.ts). */
  records: (Omit<StepRecord, "key" | "message"> & {
    activationKey: string;
    input: unknown;
    output: unknown;
    /** As JSON text: what the step's trace headers are made from. */
    startedAt: string;
    finishedAt: string;
    attempt: number;
  })[];
};

// A run can be taken up when it is queued, waiting (woken), or running under a lease that ran out (its worker
// was lost: a takeover). A row another transaction holds is skipped, not waited for: its holder is busy with
// it. Marking a run taken up is not flushed to disk before the commit returns: after a database crash it is
// merely taken up again. The run is named by its id alone (row-level security keeps it in the workspace): with
// its workspace named too, a plan made while the table was empty reads the run through the workspace's
// message-id index, which on a full table means every run of the workspace. One run per execution (see
// PreparedStatement): $1 the run, $2 its workspace, $3 the lease token, $4 the lease's milliseconds.
const PICK_UP_RUN: PreparedStatement = {
  name: "pick_up_run",
  parameterTypes: ["uuid", "uuid", "uuid", "float8"],
  text: `
  WITH target AS (
    SELECT id, status AS previous FROM runs
     WHERE id = $1
       AND (status IN ('queued', 'waiting') OR (status = 'running' AND (lease_until IS NULL OR lease_until < now())))
       FOR UPDATE SKIP LOCKED
  ), picked AS (
    UPDATE runs r
       SET status = 'running', lease_owner = $3, lease_until = now() + make_interval(secs => $4 / 1000),
           takeovers = r.takeovers + (t.previous = 'running')::int, picked_at = now(),
           started_at = coalesce(r.started_at, now()),
           log = CASE t.previous WHEN 'queued' THEN r.log
                 ELSE r.log || jsonb_build_array(jsonb_build_object('at', now(), 'event',
                   CASE t.previous WHEN 'waiting' THEN 'woke' ELSE 'taken_over' END)) END
      FROM target t
     WHERE r.id = $1 AND r.id = t.id
    RETURNING r.id, t.previous, r.flow_id, r.flow_version_id, r.trigger, r.trigger_step_id, r.is_test, r.input,
              r.parks, r.takeovers, r.parent_run_id, r.picked_at
  )
  SELECT p.*, parent.flow_id AS parent_flow_id, w.allowed_hosts, w.plan_id, w.secrets_version,
         pl.code_memory_mb, pl.code_cpu_ms, pl.code_wall_ms, pl.max_message_bytes, pl.run_timeout_seconds,
         coalesce((SELECT json_agg(json_build_object('activationKey', s.activation_key, 'stepId', s.step_id, 'status', s.status,
                                    'port', s.output_port, 'input', s.input, 'output', s.output,
                                    'error', s.error, 'startedAt', s.started_at, 'finishedAt', s.finished_at,
                                    'attempt', s.attempt)
                                    ORDER BY s.finished_at, s.id)
                     FROM step_runs s WHERE s.run_id = $1), '[]') AS records
    FROM picked p
    JOIN workspaces w ON w.id = $2
    JOIN plans pl ON pl.id = w.plan_id
    ${parentRunOf("p")}`,
};

/** Takes runs of one workspace up for a worker, each under a new lease of `leaseMs`. */
export async function pickUpRuns({
  db,
  workspaceId,
  runIds,
  owner,
  leaseMs,
}: {
  db: Db;
  workspaceId: string;
  runIds: string[];
  /** The lease token of this pickup (one per run is not needed: a run's pickups never share a batch). */
  owner: string;
  leaseMs: number;
}): Promise<Map<string, RunToExecute | NotPickedUp>> {
  const picked = await sqlStatementsInWorkspace(
    db.sql,
    workspaceId,
    runIds.map((id) => ({ prepared: PICK_UP_RUN, values: [id, workspaceId, owner, leaseMs] })),
    { durable: false },
  );
  const rows = picked.flat() as PickedRow[];
  const result = new Map<string, RunToExecute | NotPickedUp>(
    rows.map((row) => [row.id, toRun({ row, workspaceId, owner })]),
  );
  const missed = runIds.filter((id) => !result.has(id));
  if (missed.length > 0) {
    // Not taken up: another worker holds it, or it has ended.
    const [open = []] = await sqlStatementsInWorkspace(db.sql, workspaceId, [
      { prepared: OPEN_RUNS, values: [missed] },
    ]);
    const held = new Set(open.map((row) => String(row.id)));
    for (const id of missed) result.set(id, held.has(id) ? "held" : "gone");
  }
  return result;
}

// $1 the runs' ids: those of them not ended yet.
const OPEN_RUNS: PreparedStatement = {
  name: "open_runs",
  parameterTypes: ["uuid[]"],
  text: `SELECT r.id FROM ${runsById("$1")} WHERE r.status IN ('queued', 'waiting', 'running')`,
};

function toRun({ row, workspaceId, owner }: { row: PickedRow; workspaceId: string; owner: string }): RunToExecute {
  return {
    id: row.id,
    workspaceId,
    flowId: row.flow_id,
    flowVersionId: row.flow_version_id,
    trigger: row.trigger,
    triggerStepId: row.trigger_step_id,
    isTest: row.is_test,
    input: row.input,
    parks: row.parks ?? {},
    takeovers: row.takeovers,
    takenOver: row.previous === "running",
    owner,
    parentRunId: row.parent_run_id,
    parentFlowId: row.parent_flow_id,
    pickedAt: row.picked_at,
    records: unpackStepMessages(row.input, row.records).map(
      ({ activationKey, stepId, status, port, output, error }) => ({
        key: activationKey,
        stepId,
        status,
        port,
        message: output,
        error: error ?? null,
      }),
    ),
    ...runContextOf(row),
  };
}

/** The columns of a run's workspace and plan that its execution reads. */
type RunContextRow = {
  allowed_hosts: string[];
  plan_id: string;
  secrets_version: number;
  code_memory_mb: number;
  code_cpu_ms: number;
  code_wall_ms: number;
  max_message_bytes: number;
  run_timeout_seconds: number;
};

function runContextOf(row: RunContextRow): Pick<RunToExecute, "workspace" | "limits"> {
  return {
    workspace: { allowedHosts: row.allowed_hosts, planId: row.plan_id, secretsVersion: row.secrets_version },
    limits: {
      codeMemoryMb: row.code_memory_mb,
      codeCpuMs: row.code_cpu_ms,
      codeWallMs: row.code_wall_ms,
      maxMessageBytes: row.max_message_bytes,
      runTimeoutSeconds: row.run_timeout_seconds,
    },
  };
}

/** How a run ended: its result, or the error that ended it. */
export type RunEnd = { status: "succeeded" | "failed"; output: Message | null; error: RunError | null };

/** How a commit leaves the run: still running (its lease renewed), waiting, handed back, or ended. */
export type RunTransition =
  | { status: "running" }
  | { status: "waiting"; parks: Parks; wakeAt: Date }
  | { status: "queued" }
  | RunEnd;

export type RunCommit = {
  runId: string;
  owner: string;
  /** The message the run started with (its steps' messages are stored as what they add to it). */
  runInput: Message;
  checkpoints: Checkpoint[];
  transition: RunTransition;
  /** What a respond step answered, for a webhook caller who waits. */
  response?: RunResponse | null;
  log?: RunLogEntry[];
  /** A step failed and its error path took over. */
  hadErrors?: boolean;
  /** How long the lease lives after this commit while the run goes on running. */
  leaseMs: number;
};

// $2 the steps, as JSON ($1 is unused here: the statements built on it use it). Rows go to the workspace the
// transaction is scoped to (the one row-level security lets it write): sent with every row, its id was a tenth
// of a step's bytes.
const CHECKPOINTS_INTO_STEP_RUNS = `
  INSERT INTO step_runs (id, workspace_id, run_id, activation_key, step_id, step_type, status, output_port, input, output,
                         logs, error, attempt, started_at, finished_at, duration_ms)
  SELECT x.id, app_workspace_id(), x.run_id, x.activation_key, x.step_id, x.step_type, x.status::step_run_status,
         x.output_port, x.input, x.output, x.logs, x.error, x.attempt, x.started_at, x.finished_at, x.duration_ms
    FROM json_to_recordset($2::json) AS x(id uuid, run_id uuid, owner uuid, activation_key text,
         step_id text, step_type text, status text, output_port text, input json, output json, logs jsonb, error jsonb,
         attempt int, started_at timestamptz, finished_at timestamptz, duration_ms int)`;

// Only where the lease is still the worker's: a checkpoint written twice, by a worker that resumed, is kept once.
// Each run's lease is a probe of its own (LATERAL … LIMIT 1; see runs-by-id.ts), which locks the run's row
// against its deletion until the commit: steps have no foreign key to their run (see the migration
// log_without_row_checks), and no step is stored for a run deleted meanwhile.
const INSERT_CHECKPOINTS: PreparedStatement = {
  name: "insert_checkpoints",
  parameterTypes: ["json", "json"],
  text: `${CHECKPOINTS_INTO_STEP_RUNS}
   WHERE EXISTS (SELECT 1 FROM (SELECT lease_owner FROM runs WHERE runs.id = x.run_id LIMIT 1 FOR KEY SHARE) r
                  WHERE r.lease_owner = x.owner)
  ON CONFLICT (run_id, activation_key) DO NOTHING`,
};

// A run's new state, only where the lease is still the worker's and the run was not ended meanwhile (e.g.
// cancelled). One run per execution (see PreparedStatement): $1 the run, $2 the lease token, then its state.
const COMMIT_RUN: PreparedStatement = {
  name: "commit_run",
  parameterTypes: [
    "uuid",
    "uuid",
    "text",
    "float8",
    "json",
    "jsonb",
    "jsonb",
    "timestamptz",
    "json",
    "jsonb",
    "boolean",
  ],
  text: `
  UPDATE runs r
     SET status = $3::run_status,
         lease_owner = CASE WHEN $3 = 'running' THEN r.lease_owner END,
         lease_until = CASE WHEN $3 = 'running' THEN now() + make_interval(secs => $4 / 1000) END,
         parks = CASE WHEN $3 IN ('running', 'queued') THEN r.parks WHEN $3 = 'waiting' THEN $7 END,
         wake_at = CASE WHEN $3 IN ('running', 'queued') THEN r.wake_at WHEN $3 = 'waiting' THEN $8 END,
         output = CASE WHEN $3 IN ('succeeded', 'failed') THEN $5 ELSE r.output END,
         error = CASE WHEN $3 IN ('succeeded', 'failed') THEN $6 ELSE r.error END,
         finished_at = CASE WHEN $3 IN ('succeeded', 'failed') THEN now() ELSE r.finished_at END,
         response = coalesce($9, r.response),
         log = CASE WHEN $10 IS NULL THEN r.log ELSE r.log || $10 END,
         had_errors = r.had_errors OR $11
   WHERE r.id = $1 AND r.lease_owner = $2 AND r.status = 'running'
  RETURNING r.id`,
};

/**
 * Commits a batch of runs of one workspace in one transaction. Returns the runs whose commit took: a run
 * missing from it was cancelled meanwhile or taken over by another worker, and its worker must stop.
 */
export async function commitRuns({
  db,
  workspaceId,
  commits,
}: {
  db: Db;
  workspaceId: string;
  commits: RunCommit[];
}): Promise<Set<string>> {
  const checkpoints = commits.flatMap((c) =>
    checkpointRows({ runId: c.runId, owner: c.owner, runInput: c.runInput, checkpoints: c.checkpoints }),
  );
  const ended = commits.filter((c) => isEnd(c.transition)).map((c) => c.runId);
  // The checkpoints first: they are kept only where the lease is still the worker's, as it was before the
  // run's state changes (an ended run's lease is let go). Those of a run cancelled meanwhile are kept: they ran.
  const results = await sqlStatementsInWorkspace(db.sql, workspaceId, [
    ...(checkpoints.length ? [{ prepared: INSERT_CHECKPOINTS, values: [null, JSON.stringify(checkpoints)] }] : []),
    ...commits.map(({ runId, owner, transition, leaseMs, response, log, hadErrors }) => ({
      prepared: COMMIT_RUN,
      values: [
        runId,
        owner,
        transition.status,
        leaseMs,
        "output" in transition ? jsonOrNull(transition.output) : null,
        "error" in transition ? jsonOrNull(transition.error) : null,
        "parks" in transition ? JSON.stringify(transition.parks) : null,
        "wakeAt" in transition ? transition.wakeAt : null,
        jsonOrNull(response),
        log?.length ? JSON.stringify(log) : null,
        hadErrors ?? false,
      ],
    })),
    // The flow statistics, in the same transaction: runs this commit ended, once each.
    ...(ended.length ? [rollUpRunsFinishedNow(ended)] : []),
  ]);
  const updated = results.slice(checkpoints.length ? 1 : 0).slice(0, commits.length);
  return new Set(updated.flat().map((row) => String(row.id)));
}

const isEnd = (transition: RunTransition): transition is RunEnd =>
  transition.status === "succeeded" || transition.status === "failed";

const jsonOrNull = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/** A run that ran to its end before it was stored (a sync webhook's run of quick steps, run as it was taken in). */
export type FinishedRun = {
  runId: string;
  flowId: string;
  versionId: string;
  trigger: string;
  triggerStepId: string;
  message: Message;
  startedAt: Date;
  checkpoints: Checkpoint[];
  result: RunEnd;
  response: RunResponse | null;
  /**
   * The key its message came with: claimed for the run in the same commit. `dropOnClash`: the run had no outside
   * effects, and is not stored at all when the key is another run's (its caller is answered with that run).
   */
  idempotency?: { key: string; bodyHash: string; dropOnClash?: boolean } | null;
};

// $1 the runs, as JSON; into the transaction's workspace, as their steps.
const finishedRunsIntoRuns = (rest: string) => `
  INSERT INTO runs (id, workspace_id, flow_id, flow_version_id, status, trigger, trigger_step_id, message_id, input,
                    output, error, response, queued_at, started_at, picked_at, finished_at)
  SELECT x.id, app_workspace_id(), x.flow_id, x.flow_version_id, x.status::run_status, x.trigger, x.trigger_step_id,
         x.message_id, x.input, x.output, x.error, x.response, x.started_at, x.started_at, x.started_at, now()
    FROM json_to_recordset($1::json) AS x(id uuid, flow_id uuid, flow_version_id uuid, status text, trigger text,
         trigger_step_id text, message_id text, key text, input json, output json, error jsonb, response json,
         started_at timestamptz)
  ${rest}`;

const INSERT_FINISHED_RUNS: PreparedStatement = {
  name: "insert_finished_runs",
  parameterTypes: ["json"],
  text: finishedRunsIntoRuns(""),
};

// Only the runs that hold their message's key, claimed earlier in the transaction; returns those stored.
const INSERT_FINISHED_RUNS_HOLDING_KEYS: PreparedStatement = {
  name: "insert_finished_runs_holding_keys",
  parameterTypes: ["json"],
  text: finishedRunsIntoRuns(`CROSS JOIN LATERAL (${KEY_PROBE} LIMIT 1) held WHERE held.run_id = x.id RETURNING id`),
};

const INSERT_FINISHED_STEPS: PreparedStatement = {
  name: "insert_finished_steps",
  parameterTypes: ["json", "json"],
  text: CHECKPOINTS_INTO_STEP_RUNS,
};

// Only the steps of runs stored earlier in the transaction (each run a probe of its own: see runs-by-id.ts).
const INSERT_FINISHED_STEPS_OF_STORED_RUNS: PreparedStatement = {
  name: "insert_finished_steps_of_stored_runs",
  parameterTypes: ["json", "json"],
  text: `${CHECKPOINTS_INTO_STEP_RUNS}
   WHERE EXISTS (SELECT 1 FROM (SELECT 1 FROM runs WHERE runs.id = x.run_id LIMIT 1) r)`,
};

/**
 * Stores runs of one workspace that have already ended — the run, its steps and the flow statistics in one
 * transaction, one round trip: until it commits, nothing of them exists, so a process lost meanwhile leaves
 * nothing half done (its callers got no answer and call again). Returns the runs not stored: those whose key
 * was another run's, where they may be dropped (FinishedRun.idempotency).
 */
export async function recordFinishedRuns({
  db,
  workspaceId,
  runs,
}: {
  db: Db;
  workspaceId: string;
  runs: FinishedRun[];
}): Promise<Set<string>> {
  const holdingKeys = runs.filter((run) => run.idempotency?.dropOnClash);
  const others = runs.filter((run) => !run.idempotency?.dropOnClash);
  const rowsOf = (batch: FinishedRun[]) =>
    JSON.stringify(
      batch.map((run) => ({
        id: run.runId,
        flow_id: run.flowId,
        flow_version_id: run.versionId,
        status: run.result.status,
        trigger: run.trigger,
        trigger_step_id: run.triggerStepId,
        message_id: run.message.id,
        // Read only where the run is stored if it holds its key.
        key: run.idempotency?.dropOnClash ? run.idempotency.key : undefined,
        input: run.message,
        output: run.result.output,
        error: run.result.error,
        response: run.response,
        started_at: run.startedAt.toISOString(),
      })),
    );
  // A key is claimed once, for the first run of the batch that came with it (a source that sent a message again
  // before the first was acknowledged): the others are stored too, unless they may be dropped. Claimed twice in
  // one statement, it failed the whole batch, and every run in it went back to be run again, effects and all.
  const keyed = new Map<string, KeyClaim>();
  for (const run of runs) {
    if (!run.idempotency) continue;
    const id = keyIdOf(run.flowId, run.triggerStepId, run.idempotency.key);
    if (keyed.has(id)) continue;
    keyed.set(id, {
      workspaceId,
      flowId: run.flowId,
      triggerStepId: run.triggerStepId,
      runId: run.runId,
      messageId: run.message.id,
      key: run.idempotency.key,
      bodyHash: run.idempotency.bodyHash,
    });
  }
  const stepsOf = (batch: FinishedRun[], statement: PreparedStatement) => {
    const steps = finishedRunSteps(batch);
    return steps.length ? [{ prepared: statement, values: [null, JSON.stringify(steps)] }] : [];
  };
  // The keys first: a run that may be dropped is stored only if it holds its key.
  const statements: Statement[] = keyed.size ? [claimKeysStatement([...keyed.values()])] : [];
  if (others.length) statements.push({ prepared: INSERT_FINISHED_RUNS, values: [rowsOf(others)] });
  const holdingAt = holdingKeys.length
    ? statements.push({ prepared: INSERT_FINISHED_RUNS_HOLDING_KEYS, values: [rowsOf(holdingKeys)] }) - 1
    : -1;
  statements.push(
    ...stepsOf(others, INSERT_FINISHED_STEPS),
    ...stepsOf(holdingKeys, INSERT_FINISHED_STEPS_OF_STORED_RUNS),
    rollUpRunsFinishedNow(runs.map((run) => run.runId)),
  );
  const results = await sqlStatementsInWorkspace(db.sql, workspaceId, statements);
  const stored = new Set((results[holdingAt] ?? []).map((row) => String(row.id)));
  return new Set(holdingKeys.filter((run) => !stored.has(run.runId)).map((run) => run.runId));
}

/** A run no worker has taken up yet, read without taking it: what running it whole in memory needs. */
export type NewRun = Pick<
  RunToExecute,
  "id" | "flowVersionId" | "trigger" | "triggerStepId" | "isTest" | "input" | "parentRunId" | "parentFlowId"
>;

type NewRunRow = {
  id: string;
  flow_version_id: string;
  trigger: string;
  trigger_step_id: string;
  is_test: boolean;
  input: Message;
  parent_run_id: string | null;
  parent_flow_id: string | null;
  is_new: boolean;
};

// Read by primary key alone; whether each is new is a column (a filter on status invites the status index),
// and its steps are probed run by run (as NOT EXISTS, a planner may hash every step row in the table).
// $1 the runs' ids.
const READ_NEW_RUNS: PreparedStatement = {
  name: "read_new_runs",
  parameterTypes: ["uuid[]"],
  text: `SELECT r.id, r.flow_version_id, r.trigger, r.trigger_step_id, r.is_test, r.input, r.parent_run_id,
                parent.flow_id AS parent_flow_id,
                r.status = 'queued' AND r.picked_at IS NULL AND step.run_id IS NULL AS is_new
           FROM ${runsById("$1")}
           LEFT JOIN LATERAL (SELECT s.run_id FROM step_runs s WHERE s.run_id = r.id LIMIT 1) step ON true
           ${parentRunOf("r")}`,
};

/**
 * Runs of one workspace that are queued, were never taken up and have no steps yet, read without locking
 * them; runs not among them are not new (waiting, handed back, running, ended, or a re-run from a step, whose
 * earlier steps were copied in).
 */
export async function readNewRuns({
  db,
  workspaceId,
  runIds,
}: {
  db: Db;
  workspaceId: string;
  runIds: string[];
}): Promise<Map<string, NewRun>> {
  const [rows = []] = await sqlStatementsInWorkspace(db.sql, workspaceId, [
    { prepared: READ_NEW_RUNS, values: [runIds] },
  ]);
  return new Map(
    (rows as NewRunRow[])
      .filter((row) => row.is_new)
      .map((row) => [
        row.id,
        {
          id: row.id,
          flowVersionId: row.flow_version_id,
          trigger: row.trigger,
          triggerStepId: row.trigger_step_id,
          isTest: row.is_test,
          input: row.input,
          parentRunId: row.parent_run_id,
          parentFlowId: row.parent_flow_id,
        },
      ]),
  );
}

// Only where the run is still new: a run cancelled meanwhile, or taken up by another worker (its job
// delivered twice), is left as it is — as is one changed in any way while this commits (it is reached by its
// row's address) — and the checkpoints of a run not finished here are not kept. The status is compared as
// text so that the status index (which holds every queued run of a backlog) is no way to the rows.
// $1 the runs' ends, $2 their steps, as JSON.
const FINISH_NEW_RUNS: PreparedStatement = {
  name: "finish_new_runs",
  parameterTypes: ["json", "json"],
  text: `
  WITH input AS (
    SELECT * FROM json_to_recordset($1::json) AS x(id uuid, status text, output json, error jsonb, response json,
           started_at timestamptz)
  ), finished AS (
    UPDATE runs r
       SET status = i.status::run_status, output = i.output, error = i.error, response = i.response,
           started_at = i.started_at, picked_at = i.started_at, finished_at = now()
      FROM input i ${rowOfRun("i")}
     WHERE r.ctid = run_row.row AND r.status::text = 'queued' AND r.picked_at IS NULL
    RETURNING r.id
  ), saved AS (${CHECKPOINTS_INTO_STEP_RUNS}
     WHERE x.run_id IN (SELECT id FROM finished)
    RETURNING 1
  )
  SELECT id FROM finished`,
};

/**
 * Stores new runs of one workspace that a worker ran whole in memory: each run's end, its steps and the flow
 * statistics in one transaction. Returns the runs stored: one missing was cancelled or taken up meanwhile.
 */
export async function finishNewRuns({
  db,
  workspaceId,
  runs,
}: {
  db: Db;
  workspaceId: string;
  runs: FinishedRun[];
}): Promise<Set<string>> {
  const ends = runs.map((run) => ({
    id: run.runId,
    status: run.result.status,
    output: run.result.output,
    error: run.result.error,
    response: run.response,
    started_at: run.startedAt.toISOString(),
  }));
  const checkpoints = finishedRunSteps(runs);
  const ids = runs.map((run) => run.runId);
  const [rows = []] = await sqlStatementsInWorkspace(db.sql, workspaceId, [
    { prepared: FINISH_NEW_RUNS, values: [JSON.stringify(ends), JSON.stringify(checkpoints)] },
    rollUpRunsFinishedNow(ids),
  ]);
  return new Set(rows.map((row) => String(row.id)));
}

/**
 * Renews the leases of runs that work for long; returns those still held (a run missing from it was
 * cancelled or taken over). Not flushed to disk: a lease lost in a database crash only lets the run be taken
 * over sooner.
 */
export async function renewRunLeases({
  db,
  workspaceId,
  leases,
  leaseMs,
}: {
  db: Db;
  workspaceId: string;
  leases: { runId: string; owner: string }[];
  leaseMs: number;
}): Promise<Set<string>> {
  const renewed = await sqlStatementsInWorkspace(
    db.sql,
    workspaceId,
    leases.map(({ runId, owner }) => ({ prepared: RENEW_LEASE, values: [runId, owner, leaseMs] })),
    { durable: false },
  );
  return new Set(renewed.flat().map((row) => String(row.id)));
}

// One run per execution (see PreparedStatement): $1 the run, $2 the lease token, $3 the lease's milliseconds.
const RENEW_LEASE: PreparedStatement = {
  name: "renew_run_lease",
  parameterTypes: ["uuid", "uuid", "float8"],
  text: `UPDATE runs SET lease_until = now() + make_interval(secs => $3 / 1000)
          WHERE id = $1 AND lease_owner = $2 AND status = 'running'
         RETURNING id`,
};

/** The step rows of runs that ran to their end before they were stored (no lease: each run owns its rows). */
function finishedRunSteps(runs: FinishedRun[]) {
  return runs.flatMap((run) =>
    checkpointRows({ runId: run.runId, runInput: run.message, checkpoints: run.checkpoints }),
  );
}

function checkpointRows({
  runId,
  owner,
  runInput,
  checkpoints,
}: {
  runId: string;
  /** The lease the rows are written under (a worker's checkpoints); none for a run stored whole. */
  owner?: string;
  /** The message the run started with: the steps' messages are stored as what they add to it and to each other. */
  runInput: Message;
  checkpoints: Checkpoint[];
}) {
  const messages = packStepMessages(runInput, checkpoints);
  return checkpoints.map((c, i) => ({
    id: uuidv7(),
    run_id: runId,
    owner,
    activation_key: c.key,
    step_id: c.stepId,
    step_type: c.stepType,
    status: c.status,
    output_port: c.port,
    input: messages[i]?.input ?? null,
    output: messages[i]?.output ?? null,
    logs: c.logs,
    error: c.error ?? null,
    attempt: c.attempt,
    // As text: a Date takes JSON.stringify off its fast path (measured: a row took 2.3× as long).
    started_at: c.startedAt.toISOString(),
    finished_at: c.finishedAt.toISOString(),
    duration_ms: Math.max(0, Math.round(c.finishedAt.getTime() - c.startedAt.getTime())),
  }));
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
  return sqlInWorkspace(db.sql, workspaceId, async (client: SqlClient) => {
    const { rows } = await client.query<{
      id: string;
      status: RunStatus;
      output: Message | null;
      error: RunError | null;
    }>("SELECT id, status, output, error FROM runs WHERE parent_run_id = $1 AND parent_step_key = $2 LIMIT 1", [
      parentRunId,
      stepKey,
    ]);
    return rows[0] ?? null;
  });
}

/**
 * What a flow's runs are run under, besides the run itself: the concurrency limits its slots are claimed under
 * (the workspace's plan, the flow's own setting), the plan's limits on each run, and the workspace's settings.
 */
export type RunSettings = {
  /** The flow's published version: what its new runs most likely run. */
  versionId: string | null;
  concurrency: { workspace: number; flow: number | null };
  limits: RunToExecute["limits"];
  workspace: RunToExecute["workspace"];
};

/** A flow's run settings; null when the flow was deleted. */
export async function loadRunSettings({
  db,
  workspaceId,
  flowId,
}: {
  db: Db;
  workspaceId: string;
  flowId: string;
}): Promise<RunSettings | null> {
  const rows = await sqlStatementInWorkspace<
    RunContextRow & { current_version_id: string | null; concurrent_runs: number; max_concurrent_runs: number | null }
  >(
    db.sql,
    workspaceId,
    `SELECT f.current_version_id, p.concurrent_runs, f.max_concurrent_runs, p.code_memory_mb, p.code_cpu_ms, p.code_wall_ms,
            p.max_message_bytes, p.run_timeout_seconds, w.allowed_hosts, w.plan_id, w.secrets_version
       FROM flows f JOIN workspaces w ON w.id = f.workspace_id JOIN plans p ON p.id = w.plan_id
      WHERE f.id = $1`,
    [flowId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    versionId: row.current_version_id,
    concurrency: { workspace: row.concurrent_runs, flow: row.max_concurrent_runs },
    ...runContextOf(row),
  };
}
