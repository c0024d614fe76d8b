// The job catalog: every job's name, its queue, its payload schema and its retry policy, in one place, so
// producers and handlers agree and a handler's payload is typed by its name. Payloads carry schemaVersion and
// the workspace; handlers reload what they need instead of trusting the payload.
import { z } from "zod";

const workspaceJob = z.object({ schemaVersion: z.literal(1), workspaceId: z.uuid() });

export const JOBS = {
  /**
   * Execute (or resume) a run. The BullMQ job id is the run id (a wake-up's adds when and why), so enqueueing
   * twice is harmless. The flow tells the worker which concurrency limits to claim before it reads the run.
   * Tried again with back-off when the database or Redis fails it (the run itself holds its own state).
   */
  "run.execute": {
    queue: "runs",
    payload: z.object({ schemaVersion: z.literal(2), workspaceId: z.uuid(), flowId: z.uuid(), runId: z.uuid() }),
    attempts: 8,
  },
  /**
   * One tick of a schedule or polling trigger. BullMQ's job schedulers add exactly one such job per tick, however
   * many workers run; the handler reloads the flow and starts the run (or polls).
   */
  "schedule.fire": {
    queue: "schedules",
    payload: workspaceJob.extend({ flowId: z.uuid(), stepId: z.string() }),
    attempts: 1,
  },
  /** Make a flow's job schedulers match its published, active version (after publish, pause, delete). */
  "schedules.sync": {
    queue: "schedules",
    payload: workspaceJob.extend({ flowId: z.uuid() }),
    attempts: 3,
  },
  /** Re-run the runs of a bulk re-run, in batches, keeping its progress in Postgres (resumable). */
  "runs.bulk-rerun": {
    queue: "operations",
    payload: workspaceJob.extend({ bulkRerunId: z.uuid() }),
    attempts: 5,
  },
  /**
   * Send a failed run's message to its trigger's dead-letter destination (a RabbitMQ exchange or queue named in
   * the trigger's config). Job id "dead-letter~<runId>": sent once per failed run; tried again while the
   * destination is down.
   */
  "dead-letters.send": {
    queue: "operations",
    payload: workspaceJob.extend({ runId: z.uuid() }),
    attempts: 8,
  },
  /**
   * Re-seal every sealed value under the current encryption key (after a key rotation). Idempotent: values
   * already under the current key are skipped, so a retry or a second run resumes where the last one stopped.
   * Enqueued with the job id "secrets-reseal", so one runs at a time.
   */
  "secrets.reseal": {
    queue: "operations",
    payload: z.object({ schemaVersion: z.literal(1) }),
    attempts: 3,
  },
  /** Re-enqueue runs Postgres has queued but Redis lost; fail runs stuck past their timeout. */
  "maintenance.sweep": {
    queue: "maintenance",
    payload: z.object({ schemaVersion: z.literal(1) }),
    attempts: 1,
  },
  /** Delete demo workspaces idle for a day, with everything they own. */
  "maintenance.demo-cleanup": {
    queue: "maintenance",
    payload: z.object({ schemaVersion: z.literal(1) }),
    attempts: 1,
  },
  /** Delete runs older than each workspace's retention, in batches. */
  "maintenance.retention": {
    queue: "maintenance",
    payload: z.object({ schemaVersion: z.literal(1) }),
    attempts: 1,
  },
  /**
   * A run ended in a workspace with alert rules that may apply to it: evaluate them (failed, handled errors,
   * slow) after the run's commit, off the run's path. The job id derives from the run, so a second end is one job.
   */
  "alerts.run-ended": {
    queue: "alerts",
    payload: workspaceJob.extend({ runId: z.uuid() }),
    attempts: 3,
  },
  /** A subscription trigger turned to failing (failures in a row): alert the rules watching for that. */
  "alerts.trigger-failing": {
    queue: "alerts",
    payload: workspaceJob.extend({
      flowId: z.uuid(),
      stepId: z.string(),
      failures: z.number().int(),
      error: z.string(),
    }),
    attempts: 3,
  },
  /** The end of a rule's throttling interval for a flow: send the digest of what was held back, if anything. */
  "alerts.digest": {
    queue: "alerts",
    payload: workspaceJob.extend({ ruleId: z.uuid(), flowId: z.uuid() }),
    attempts: 3,
  },
  /** A "test alert" from the Alerts page or the REST API: one sample alert through the rule's channel. */
  "alerts.test": {
    queue: "alerts",
    payload: workspaceJob.extend({ ruleId: z.uuid() }),
    attempts: 1,
  },
  /**
   * An alert whose channel failed (the mail server, Slack or the webhook's receiver was down): the same notice
   * sent again, `attempt` counting from 1 for the first try. The job id derives from the failed delivery.
   */
  "alerts.retry": {
    queue: "alerts",
    payload: workspaceJob.extend({
      ruleId: z.uuid(),
      notice: z.record(z.string(), z.unknown()),
      attempt: z.number().int().min(2),
    }),
    attempts: 1,
  },
  /** Look for flows whose queued runs reached a backlog rule's threshold, in every workspace. */
  "alerts.backlog": {
    queue: "alerts",
    payload: z.object({ schemaVersion: z.literal(1) }),
    attempts: 1,
  },
} as const satisfies Record<string, { queue: string; payload: z.ZodType; attempts: number }>;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.output<(typeof JOBS)[N]["payload"]>;
export type QueueName = (typeof JOBS)[JobName]["queue"];
export const QUEUE_NAMES = [...new Set(Object.values(JOBS).map((job) => job.queue))] as QueueName[];
