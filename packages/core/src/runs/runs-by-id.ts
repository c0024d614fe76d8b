// Runs named by id, each read by its primary key. Read as one set (`WHERE r.id = ANY(…)`, or an update joined
// on id), a planner that misjudges how many runs a workspace holds ANDs the primary key with the workspace's
// index (row-level security's predicate invites it), or hashes the workspace's runs, reading an entry for
// every run the workspace holds on every call; a lateral subquery with a LIMIT cannot be folded into that
// scan, so each id is one index probe.

/** A FROM item yielding the runs `r` whose ids are the uuid[] parameter `ids` (e.g. "$1"); missing ids yield nothing. */
export const runsById = (ids: string) =>
  `unnest(${ids}::uuid[]) AS e(id) CROSS JOIN LATERAL (SELECT * FROM runs WHERE runs.id = e.id LIMIT 1) r`;

/**
 * Joined to the rows of a statement's input (alias `alias`, naming runs by `id`): `run_row.row`, the address
 * of each run, for `UPDATE runs r … WHERE r.ctid = run_row.row`. A run another transaction changes meanwhile
 * is then not updated at all (its new version has another address), so use it only where such a run must be
 * left alone anyway.
 */
export const rowOfRun = (alias: string) =>
  `CROSS JOIN LATERAL (SELECT ctid AS row FROM runs WHERE runs.id = ${alias}.id LIMIT 1) run_row`;

/**
 * Joined to rows of runs (alias `alias`): `parent.flow_id`, the flow of the run that called each (null for a run
 * nobody called), read by the caller's primary key. As a plain join, a plan made while the table was empty
 * reads every run of the workspace for each row and keeps the caller among them.
 */
export const parentRunOf = (alias: string) =>
  `LEFT JOIN LATERAL (SELECT flow_id FROM runs WHERE runs.id = ${alias}.parent_run_id LIMIT 1) parent ON true`;
