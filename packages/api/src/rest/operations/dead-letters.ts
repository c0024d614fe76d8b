// A flow's dead letters: failed runs of its queue, stream and poll triggers, listed, replayed and discarded.
import {
  deadLetterIdsInput,
  deadLetterState,
  discardDeadLetters,
  listDeadLetters,
  listDeadLettersInput,
  replayAllDeadLetters,
  replayDeadLetters,
} from "@tributary/core";
import { z } from "zod";
import { date, type Operation, operation } from "../operation.ts";

const deadLetter = z.object({
  runId: z.uuid(),
  flowId: z.uuid(),
  trigger: z.string(),
  triggerStepId: z.string(),
  messageId: z.string(),
  version: z.number().int(),
  body: z.string(),
  bodyTruncated: z.boolean(),
  error: z.object({ message: z.string(), stepId: z.string().nullable() }),
  receivedAt: date,
  failedAt: date.nullable(),
  state: deadLetterState,
  replay: z.object({ runId: z.uuid(), status: z.string() }).nullable(),
});
const counts = z.object({ open: z.number().int(), replayed: z.number().int(), discarded: z.number().int() });
const bulkReplay = z.object({
  id: z.uuid(),
  status: z.enum(["running", "succeeded", "failed"]),
  total: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
});

export const DEAD_LETTER_OPERATIONS: Operation[] = [
  operation({
    id: "listDeadLetters",
    method: "GET",
    path: "/flows/{flowId}/dead-letters",
    summary:
      "The flow's dead letters (failed runs of its queue, stream and poll triggers), newest first, in one state (default open), with the count of each; page with `cursor`",
    action: "runs.read",
    query: ["state", "cursor", "limit"],
    input: listDeadLettersInput.extend({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
    output: z.object({ deadLetters: z.array(deadLetter), nextCursor: z.uuid().nullable(), counts }),
    run: ({ db, workspaceId }, input) => listDeadLetters({ db, workspaceId, ...input }),
  }),
  operation({
    id: "replayDeadLetters",
    method: "POST",
    path: "/flows/{flowId}/dead-letters/replay",
    summary:
      "Replay dead letters (their run ids) now, on the flow's current version; `all: true` replays every open one in the background instead (follow it at /bulk-reruns/{id})",
    action: "runs.manage",
    input: z.object({
      flowId: z.uuid(),
      runIds: deadLetterIdsInput.shape.runIds.optional(),
      all: z.boolean().default(false),
    }),
    output: z.object({
      replayed: z.array(z.object({ runId: z.uuid(), replayRunId: z.uuid() })),
      failed: z.array(z.object({ runId: z.uuid(), error: z.string() })),
      bulkRerun: bulkReplay.nullable(),
    }),
    run: async ({ db, queue, workspaceId, actor }, { flowId, runIds, all }) => {
      if (all) {
        const bulk = await replayAllDeadLetters({ db, queue, workspaceId, actor, flowId });
        return { replayed: [], failed: [], bulkRerun: bulk };
      }
      const ids = deadLetterIdsInput.parse({ flowId, runIds });
      return { ...(await replayDeadLetters({ db, queue, workspaceId, actor, ...ids })), bulkRerun: null };
    },
  }),
  operation({
    id: "discardDeadLetters",
    method: "POST",
    path: "/flows/{flowId}/dead-letters/discard",
    summary: "Discard dead letters (their run ids): they need nothing more, and leave the open list",
    action: "runs.manage",
    input: deadLetterIdsInput,
    output: z.object({ discarded: z.number().int() }),
    run: ({ db, workspaceId, actor }, input) => discardDeadLetters({ db, workspaceId, actor, ...input }),
  }),
];
