// Idempotency keys belong to the trigger (flow + trigger step). The first message with a key claims it for its
// run; a claim older than the window is taken over by the next message with that key.
import { type Db, type PreparedStatement, sqlStatementsInWorkspace } from "@tributary/db";
import { createGroupCommit, type GroupCommit } from "./group-commit.ts";

export const KEY_WINDOW = "24 hours";

export type KeyClaim = {
  workspaceId: string;
  flowId: string;
  triggerStepId: string;
  key: string;
  bodyHash: string;
  runId: string;
  messageId: string;
};

/**
 * One key looked up by its primary key, for each row `x` of a batch (used as `CROSS JOIN LATERAL (… LIMIT 1)`).
 * A plain join or EXISTS lets a planner that misjudges the workspace's size hash-join the batch with every key
 * the workspace holds (row-level security's predicate invites reading them all), on every call.
 */
export const KEY_PROBE = `SELECT k.* FROM trigger_idempotency_keys k
   WHERE k.flow_id = x.flow_id AND k.trigger_step_id = x.trigger_step_id AND k.key = x.key`;

/** Claims keys not held (or held past the window); returns a row (flow_id, trigger_step_id, key) per key won. */
export const CLAIM_KEYS: PreparedStatement = {
  name: "claim_keys",
  parameterTypes: ["jsonb"],
  text: `INSERT INTO trigger_idempotency_keys (workspace_id, flow_id, trigger_step_id, key, body_hash, run_id, message_id)
           SELECT x.workspace_id, x.flow_id, x.trigger_step_id, x.key, x.body_hash, x.run_id, x.message_id
             FROM jsonb_to_recordset($1::jsonb) AS x(workspace_id uuid, flow_id uuid, trigger_step_id text, key text,
                  body_hash text, run_id uuid, message_id text)
           ON CONFLICT (workspace_id, flow_id, trigger_step_id, key) DO UPDATE
             SET body_hash = EXCLUDED.body_hash, run_id = EXCLUDED.run_id, message_id = EXCLUDED.message_id, created_at = now()
             WHERE trigger_idempotency_keys.created_at < now() - interval '${KEY_WINDOW}'
           RETURNING flow_id, trigger_step_id, key`,
};

/** CLAIM_KEYS for these claims. */
export function claimKeysStatement(claims: KeyClaim[]): { prepared: PreparedStatement; values: unknown[] } {
  return {
    prepared: CLAIM_KEYS,
    values: [
      JSON.stringify(
        claims.map((claim) => ({
          workspace_id: claim.workspaceId,
          flow_id: claim.flowId,
          trigger_step_id: claim.triggerStepId,
          key: claim.key,
          body_hash: claim.bodyHash,
          run_id: claim.runId,
          message_id: claim.messageId,
        })),
      ),
    ],
  };
}

export type KeyOfTrigger = { flowId: string; triggerStepId: string; key: string };

/** One key of one trigger as a string, to tell a batch's keys apart in memory. */
export const keyIdOf = (flowId: string, triggerStepId: string, key: string) =>
  JSON.stringify([flowId, triggerStepId, key]);

const KEYS_HELD: PreparedStatement = {
  name: "keys_held",
  parameterTypes: ["jsonb"],
  text: `SELECT x.i FROM jsonb_to_recordset($1::jsonb) AS x(i int, flow_id uuid, trigger_step_id text, key text)
      CROSS JOIN LATERAL (${KEY_PROBE} AND k.created_at >= now() - interval '${KEY_WINDOW}' LIMIT 1) held`,
};

/** Whether a message with each key started a run within the window, in the order asked (one statement). */
export async function keysHeld({
  db,
  workspaceId,
  keys,
}: {
  db: Db;
  workspaceId: string;
  keys: KeyOfTrigger[];
}): Promise<boolean[]> {
  const [rows = []] = await sqlStatementsInWorkspace(
    db.sql,
    workspaceId,
    [
      {
        prepared: KEYS_HELD,
        values: [
          JSON.stringify(keys.map((k, i) => ({ i, flow_id: k.flowId, trigger_step_id: k.triggerStepId, key: k.key }))),
        ],
      },
    ],
    { durable: false },
  );
  const held = new Set(rows.map((row) => Number(row.i)));
  return keys.map((_, i) => held.has(i));
}

/**
 * Whether a key is held (keysHeld), for callers that each ask for one: the keys of a workspace asked for
 * together are looked up in one statement, on one connection.
 */
export function createKeyLookup({ db }: { db: Db }): GroupCommit<KeyOfTrigger, boolean> {
  return createGroupCommit({ flush: (workspaceId, keys) => keysHeld({ db, workspaceId, keys }) });
}
