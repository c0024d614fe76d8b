// The run intake of triggers (webhooks, subscription triggers): a message accepted is a run committed — the
// run and its message are in Postgres before the caller (or the broker) hears of it. Concurrent calls are
// group-committed: those of one workspace that arrive while a commit is under way share the next one (one
// multi-row insert, one disk flush). Their jobs are queued after the commit, in bulk; a job that does not make
// it to Redis is the sweeper's to queue, so nothing accepted is lost and nobody waits on Redis.
//
// The first message with an idempotency key starts a run (idempotency-keys.ts); a repeat within the key's
// window with the same body gets that run; the same key with another body is refused.
import {
  type Db,
  type PreparedStatement,
  type SqlClient,
  sqlInWorkspace,
  sqlStatementInWorkspace,
  sqlStatementsInWorkspace,
} from "@tributary/db";
import type { Message } from "@tributary/engine";
import type { JobQueue } from "@tributary/queue";
import { AppError } from "../errors/app-error.ts";
import { createGroupCommit } from "./group-commit.ts";
import { claimKeysStatement, KEY_PROBE, keyIdOf } from "./idempotency-keys.ts";

export type RunIntakeCall = {
  /** Chosen by the caller (a UUIDv7), so it can watch the run's events before the run exists. */
  runId: string;
  workspaceId: string;
  flowId: string;
  versionId: string;
  triggerStepId: string;
  message: Message;
  /** What started it: webhook, or the subscription trigger's type. */
  trigger: string;
  /** A key the sender (or the source) gave the message, with a hash of the body it came with. */
  idempotency?: { key: string; bodyHash: string } | null;
};

/** `duplicate`: the key was seen before with the same body; runId is that first message's run. */
export type AcceptedRun = { runId: string; messageId: string; duplicate: boolean };

export type RunIntake = { accept(call: RunIntakeCall): Promise<AcceptedRun> };

type Outcome = AcceptedRun | { conflict: string; firstRunId: string };

export function createRunIntake({ db, queue }: { db: Db; queue: JobQueue }): RunIntake {
  const commit = createGroupCommit<RunIntakeCall, Outcome>({
    async flush(workspaceId, calls) {
      // Calls without an idempotency key are one insert: one round trip.
      const outcomes = calls.some((call) => call.idempotency)
        ? await sqlInWorkspace(db.sql, workspaceId, (client) => insertRuns(client, calls))
        : await insertPlainRuns(db, workspaceId, calls);
      const accepted = calls.filter((_, i) => {
        const outcome = outcomes[i];
        return outcome && "runId" in outcome && !outcome.duplicate;
      });
      // Committed is enough: the sweeper queues runs whose job did not make it to Redis.
      queue
        .enqueueRuns(accepted.map((call) => ({ workspaceId, flowId: call.flowId, runId: call.runId })))
        .catch(() => undefined);
      return outcomes;
    },
  });
  return {
    async accept(call) {
      const outcome = await commit(call.workspaceId, call);
      if ("conflict" in outcome) {
        throw new AppError(
          "UNPROCESSABLE_CONTENT",
          `The idempotency key "${outcome.conflict}" was used before with a different body. Send a new key for a new message, or the same body to get the first call's run.`,
          { idempotencyKey: outcome.conflict, firstRunId: outcome.firstRunId },
        );
      }
      return outcome;
    },
  };
}

async function insertRuns(client: SqlClient, calls: RunIntakeCall[]): Promise<Outcome[]> {
  const outcomes: (Outcome | undefined)[] = new Array(calls.length);
  // The first call of the batch with a key claims it; the others compare with whoever holds it.
  const leaders = new Map<string, number>();
  calls.forEach((call, i) => {
    if (call.idempotency && !leaders.has(keyId(call))) leaders.set(keyId(call), i);
  });
  const firsts = new Map<string, { runId: string; messageId: string; bodyHash: string }>();

  const starting = new Set(calls.map((_, i) => i).filter((i) => !calls[i]?.idempotency));
  if (leaders.size > 0) {
    const keyed = [...leaders.values()].map((i) => calls[i] as RunIntakeCall);
    const claim = claimKeysStatement(
      keyed.map((call) => ({
        workspaceId: call.workspaceId,
        flowId: call.flowId,
        triggerStepId: call.triggerStepId,
        key: call.idempotency?.key ?? "",
        bodyHash: call.idempotency?.bodyHash ?? "",
        runId: call.runId,
        messageId: call.message.id,
      })),
    );
    const claimed = await client.query<{ flow_id: string; trigger_step_id: string; key: string }>(
      claim.prepared.text,
      claim.values,
    );
    const won = new Set(claimed.rows.map((row) => keyIdOf(row.flow_id, row.trigger_step_id, row.key)));
    const lost = keyed.filter((call) => !won.has(keyId(call)));
    if (lost.length > 0) {
      const { rows } = await client.query<{
        flow_id: string;
        trigger_step_id: string;
        key: string;
        run_id: string;
        message_id: string;
        body_hash: string;
      }>(
        `SELECT k.flow_id, k.trigger_step_id, k.key, k.run_id, k.message_id, k.body_hash
           FROM jsonb_to_recordset($1::jsonb) AS x(flow_id uuid, trigger_step_id text, key text)
          CROSS JOIN LATERAL (${KEY_PROBE} LIMIT 1) k`,
        [
          JSON.stringify(
            lost.map((call) => ({
              flow_id: call.flowId,
              trigger_step_id: call.triggerStepId,
              key: call.idempotency?.key,
            })),
          ),
        ],
      );
      for (const row of rows) {
        firsts.set(keyIdOf(row.flow_id, row.trigger_step_id, row.key), {
          runId: row.run_id,
          messageId: row.message_id,
          bodyHash: row.body_hash,
        });
      }
    }
    for (const [id, i] of leaders) {
      const call = calls[i] as RunIntakeCall;
      if (won.has(id)) {
        starting.add(i);
        firsts.set(id, { runId: call.runId, messageId: call.message.id, bodyHash: call.idempotency?.bodyHash ?? "" });
      }
    }
  }

  const runs = [...starting].map((i) => calls[i] as RunIntakeCall);
  if (runs.length > 0) {
    const insert = runsInsert(runs);
    await client.query(insert.prepared.text, insert.values);
    for (const i of starting) {
      const call = calls[i] as RunIntakeCall;
      outcomes[i] = { runId: call.runId, messageId: call.message.id, duplicate: false };
    }
  }
  calls.forEach((call, i) => {
    if (!call.idempotency || starting.has(i)) return;
    const first = firsts.get(keyId(call));
    // No holder: the key expired and was pruned between the claim and the read; the caller tries again.
    if (!first) throw new Error("An idempotency key changed hands while the call was stored; try again.");
    // A key kept from before bodies were hashed (empty hash) counts as the same body.
    outcomes[i] =
      first.bodyHash === call.idempotency.bodyHash || first.bodyHash === ""
        ? { runId: first.runId, messageId: first.messageId, duplicate: true }
        : { conflict: call.idempotency.key, firstRunId: first.runId };
  });
  return outcomes as Outcome[];
}

async function insertPlainRuns(db: Db, workspaceId: string, calls: RunIntakeCall[]): Promise<Outcome[]> {
  await sqlStatementsInWorkspace(db.sql, workspaceId, [runsInsert(calls)]);
  return calls.map((call) => ({ runId: call.runId, messageId: call.message.id, duplicate: false }));
}

// $1 the runs, as JSON.
const INSERT_NEW_RUNS: PreparedStatement = {
  name: "insert_new_runs",
  parameterTypes: ["json"],
  text: `INSERT INTO runs (id, workspace_id, flow_id, flow_version_id, trigger, trigger_step_id, message_id, input)
           SELECT x.id, x.workspace_id, x.flow_id, x.flow_version_id, x.trigger, x.trigger_step_id, x.message_id, x.input
             FROM json_to_recordset($1::json) AS x(id uuid, workspace_id uuid, flow_id uuid, flow_version_id uuid,
                  trigger text, trigger_step_id text, message_id text, input json)`,
};

function runsInsert(calls: RunIntakeCall[]): { prepared: PreparedStatement; values: unknown[] } {
  return {
    prepared: INSERT_NEW_RUNS,
    values: [
      JSON.stringify(
        calls.map((call) => ({
          id: call.runId,
          workspace_id: call.workspaceId,
          flow_id: call.flowId,
          flow_version_id: call.versionId,
          trigger: call.trigger,
          trigger_step_id: call.triggerStepId,
          message_id: call.message.id,
          input: call.message,
        })),
      ),
    ],
  };
}

const keyId = (call: RunIntakeCall) => keyIdOf(call.flowId, call.triggerStepId, call.idempotency?.key ?? "");

/** How a run stands, for a caller waiting on it whose answer did not come in an event (a repeated call). */
export async function runOutcome({ db, workspaceId, runId }: { db: Db; workspaceId: string; runId: string }) {
  const rows = await sqlStatementInWorkspace<{
    status: string;
    output: Message | null;
    response: { status: number; headers: Record<string, string>; body: unknown } | null;
    error: { message: string } | null;
  }>(db.sql, workspaceId, "SELECT status, output, response, error FROM runs WHERE id = $1", [runId]);
  return rows[0] ?? null;
}
