// A flow's dead letters, newest first, keyset-paginated on the run id, with how many there are in each state.
// Bodies are cut to a preview here (a page of them stays small); the run's page has the whole message.
import { type Db, Prisma, scoped } from "@tributary/db";
import { z } from "zod";
import { notFound } from "../errors/app-error.ts";
import { type DeadLetterState, deadLetterSql, deadLetterState, stateOf } from "./dead-letter-state.ts";

export const BODY_PREVIEW_CHARS = 2000;

export const listDeadLettersInput = z.object({
  flowId: z.uuid(),
  state: deadLetterState.default("open"),
  cursor: z.uuid().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export type DeadLetterView = {
  runId: string;
  flowId: string;
  /** The trigger type that received it (amqp.consume, poll…) and its step. */
  trigger: string;
  triggerStepId: string;
  messageId: string;
  version: number;
  /** The message body as JSON text, cut after BODY_PREVIEW_CHARS characters (`bodyTruncated`). */
  body: string;
  bodyTruncated: boolean;
  error: { message: string; stepId: string | null };
  receivedAt: Date;
  failedAt: Date | null;
  state: DeadLetterState;
  /** The last replay, if any. */
  replay: { runId: string; status: string } | null;
};

type Tally = { open: number; replayed: number; discarded: number };

type Row = {
  id: string;
  trigger: string;
  trigger_step_id: string;
  message_id: string;
  version: number;
  body: string | null;
  body_length: number | null;
  error: { message?: string; stepId?: string } | null;
  queued_at: Date;
  finished_at: Date | null;
  state: string | null;
  replay_run_id: string | null;
  replay_status: string | null;
};

export async function listDeadLetters({
  db,
  workspaceId,
  flowId,
  state,
  cursor,
  limit,
}: { db: Db; workspaceId: string } & z.output<typeof listDeadLettersInput>): Promise<{
  deadLetters: DeadLetterView[];
  nextCursor: string | null;
  counts: Record<DeadLetterState, number>;
}> {
  const { rows, counts } = await scoped(db, { workspaceId }, async (tx) => {
    const flow = await tx.flow.findFirst({ where: { id: flowId, workspaceId }, select: { id: true } });
    if (!flow) throw notFound("That flow");
    const joins = Prisma.sql`
      FROM runs r
      LEFT JOIN dead_letters d ON d.run_id = r.id
      LEFT JOIN runs rr ON rr.id = d.replay_run_id`;
    const ofFlow = Prisma.sql`r.workspace_id = ${workspaceId}::uuid AND r.flow_id = ${flowId}::uuid`;
    // One statement, so the page and the counts come from the same snapshot while failures keep arriving.
    const found = await tx.$queryRaw<(Partial<Row> & Tally)[]>`
      WITH tally AS (
        SELECT count(*) FILTER (WHERE ${deadLetterSql("open")})::int AS open,
          count(*) FILTER (WHERE ${deadLetterSql("replayed")})::int AS replayed,
          count(*) FILTER (WHERE ${deadLetterSql("discarded")})::int AS discarded
        ${joins} WHERE ${ofFlow} AND ${deadLetterSql(null)}
      ), page AS (
        SELECT r.id::text, r.trigger, r.trigger_step_id, r.message_id, v.number AS version,
          left((r.input->'body')::text, ${BODY_PREVIEW_CHARS}) AS body, length((r.input->'body')::text) AS body_length,
          r.error, r.queued_at, r.finished_at, d.state, d.replay_run_id::text, rr.status::text AS replay_status
        ${joins} JOIN flow_versions v ON v.id = r.flow_version_id
        WHERE ${ofFlow} AND ${deadLetterSql(state)}
          ${cursor ? Prisma.sql`AND r.id < ${cursor}::uuid` : Prisma.empty}
        ORDER BY r.id DESC LIMIT ${limit + 1}
      )
      SELECT page.*, tally.* FROM tally LEFT JOIN page ON true ORDER BY page.id::uuid DESC`;
    const counts = {
      open: found[0]?.open ?? 0,
      replayed: found[0]?.replayed ?? 0,
      discarded: found[0]?.discarded ?? 0,
    };
    return { rows: found.filter((row): row is Row & Tally => row.id !== null && row.id !== undefined), counts };
  });
  const page = rows.slice(0, limit);
  return {
    deadLetters: page.map((row) => ({
      runId: row.id,
      flowId,
      trigger: row.trigger,
      triggerStepId: row.trigger_step_id,
      messageId: row.message_id,
      version: row.version,
      body: row.body ?? "null",
      bodyTruncated: (row.body_length ?? 0) > BODY_PREVIEW_CHARS,
      error: { message: row.error?.message ?? "The run failed.", stepId: row.error?.stepId ?? null },
      receivedAt: row.queued_at,
      failedAt: row.finished_at,
      state: stateOf({ state: row.state, replayStatus: row.replay_status }),
      replay: row.replay_run_id ? { runId: row.replay_run_id, status: row.replay_status ?? "deleted" } : null,
    })),
    nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
    counts,
  };
}
