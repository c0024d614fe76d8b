// Which failed runs are dead letters, and in which state: the one definition the list, the counts and bulk
// replays (through the Runs filter) share. A dead letter is a failed run (not a test) of a queue, stream or
// poll trigger. Open: nothing was done with it, or its last replay failed too. Replayed: a replay is under way
// or succeeded. Discarded: someone decided it needs nothing more.
import { DEAD_LETTER_TRIGGERS } from "@tributary/connectors";
import { Prisma } from "@tributary/db";
import { z } from "zod";

export const deadLetterState = z.enum(["open", "replayed", "discarded"]);
export type DeadLetterState = z.output<typeof deadLetterState>;

const REPLAY_FAILED = ["failed", "cancelled"] as const;

/** The runs that are dead letters in `state` (null: in any), as a Prisma filter (bulk replays select with it). */
export function deadLetterWhere(state: DeadLetterState | null): Prisma.RunWhereInput {
  const replayFailed: Prisma.DeadLetterWhereInput = {
    state: "replayed",
    replayRun: { is: { status: { in: [...REPLAY_FAILED] } } },
  };
  return {
    status: "failed",
    isTest: false,
    trigger: { in: [...DEAD_LETTER_TRIGGERS] },
    ...(state === null
      ? {}
      : state === "open"
        ? { OR: [{ deadLetter: { is: null } }, { deadLetter: { is: replayFailed } }] }
        : state === "replayed"
          ? { deadLetter: { is: { state: "replayed", NOT: replayFailed } } }
          : { deadLetter: { is: { state: "discarded" } } }),
  };
}

/**
 * The same in SQL, over `runs r LEFT JOIN dead_letters d ON d.run_id = r.id LEFT JOIN runs rr ON rr.id =
 * d.replay_run_id` (the list reads bodies and errors in one query).
 */
export function deadLetterSql(state: DeadLetterState | null): Prisma.Sql {
  const base = Prisma.sql`r.status = 'failed' AND NOT r.is_test AND r.trigger = ANY(${[...DEAD_LETTER_TRIGGERS]}::text[])`;
  const replayFailed = Prisma.sql`(d.state = 'replayed' AND rr.status::text IN ('failed', 'cancelled'))`;
  if (state === null) return base;
  if (state === "open") return Prisma.sql`${base} AND (d.run_id IS NULL OR ${replayFailed})`;
  if (state === "replayed")
    return Prisma.sql`${base} AND d.state = 'replayed' AND NOT COALESCE(${replayFailed}, false)`;
  return Prisma.sql`${base} AND d.state = 'discarded'`;
}

/** The state of one dead letter from its row (if any) and its last replay's status. */
export function stateOf(row: { state: string | null; replayStatus: string | null }): DeadLetterState {
  if (row.state === "discarded") return "discarded";
  if (row.state === "replayed" && !REPLAY_FAILED.includes(row.replayStatus as (typeof REPLAY_FAILED)[number]))
    return "replayed";
  return "open";
}

/** Whether a run is a dead letter (of any state). */
export function isDeadLetter(run: { status: string; isTest: boolean; trigger: string }): boolean {
  return run.status === "failed" && !run.isTest && DEAD_LETTER_TRIGGERS.includes(run.trigger);
}
