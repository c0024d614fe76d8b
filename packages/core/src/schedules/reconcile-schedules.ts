// Postgres says which schedule and polling triggers should fire (those of active flows' published versions);
// BullMQ's job schedulers make them fire, one job per tick however many workers run. Reconciling makes Redis
// match Postgres: for one flow right after it is published, paused or deleted, and for all flows on every
// sweep, which also restores the schedulers after Redis lost its data.
import { repeatOptions, scheduleTrigger, type Timing } from "@tributary/connectors";
import type { Db } from "@tributary/db";
import { parseFlowGraph } from "@tributary/engine";
import type { JobQueue } from "@tributary/queue";

export const SCHEDULED_TRIGGERS = new Set(["trigger.schedule", "trigger.poll"]);

type Desired = { id: string; workspaceId: string; flowId: string; stepId: string; timing: Timing };

/** A scheduler id names its trigger, so one flow's schedulers can be found by prefix. */
export const schedulerId = (flowId: string, stepId: string) => `${flowId}:${stepId}`;

async function desiredSchedules(db: Db, flowId: string | undefined): Promise<Desired[]> {
  const rows = await db.sql.query<{ workspace_id: string; flow_id: string; graph: unknown }>(
    "SELECT workspace_id, flow_id, graph FROM system_active_schedules() WHERE $1::uuid IS NULL OR flow_id = $1::uuid",
    [flowId ?? null],
  );
  const desired: Desired[] = [];
  for (const row of rows.rows) {
    for (const step of parseFlowGraph(row.graph).steps) {
      if (!SCHEDULED_TRIGGERS.has(step.type)) continue;
      // Published versions were validated; the timing fields are the same in both trigger types.
      const timing = scheduleTrigger.config.safeParse({ ...step.config, body: undefined });
      if (!timing.success) continue;
      desired.push({
        id: schedulerId(row.flow_id, step.id),
        workspaceId: row.workspace_id,
        flowId: row.flow_id,
        stepId: step.id,
        timing: timing.data as Timing,
      });
    }
  }
  return desired;
}

function sameTiming(existing: Record<string, unknown>, wanted: Record<string, unknown>): boolean {
  return ["pattern", "tz", "every", "startDate", "endDate"].every(
    (key) => (existing[key] ?? null) === (wanted[key] ?? null) || Number(existing[key]) === Number(wanted[key]),
  );
}

export type ReconcileReport = { added: number; updated: number; removed: number };

/** Adds, updates and removes job schedulers so they match Postgres: of one flow, or of every flow. */
export async function reconcileSchedules({
  db,
  queue,
  flowId,
}: {
  db: Db;
  queue: JobQueue;
  flowId?: string;
}): Promise<ReconcileReport> {
  const schedules = queue.queue("schedules");
  const desired = await desiredSchedules(db, flowId);
  const existing = (await schedules.getJobSchedulers(0, -1)).filter(
    (scheduler) => !flowId || scheduler.key.startsWith(`${flowId}:`),
  );
  const existingById = new Map(existing.map((scheduler) => [scheduler.key, scheduler]));
  const report: ReconcileReport = { added: 0, updated: 0, removed: 0 };
  for (const schedule of desired) {
    const options = repeatOptions(schedule.timing);
    const current = existingById.get(schedule.id);
    existingById.delete(schedule.id);
    if (current && sameTiming(current as unknown as Record<string, unknown>, options)) continue;
    await schedules.upsertJobScheduler(schedule.id, options, {
      name: "schedule.fire",
      data: { schemaVersion: 1, workspaceId: schedule.workspaceId, flowId: schedule.flowId, stepId: schedule.stepId },
      opts: { removeOnComplete: true, removeOnFail: { age: 24 * 3600 } },
    });
    if (current) report.updated++;
    else report.added++;
  }
  for (const stale of existingById.keys()) {
    await schedules.removeJobScheduler(stale);
    report.removed++;
  }
  return report;
}

/**
 * Asks a worker to reconcile one flow's schedulers now. Best effort: when Redis is down the next sweep
 * does it, so a publish never fails for it.
 */
export async function requestScheduleSync({
  queue,
  workspaceId,
  flowId,
}: {
  queue: JobQueue;
  workspaceId: string;
  flowId: string;
}): Promise<void> {
  await queue.enqueue("schedules.sync", { schemaVersion: 1, workspaceId, flowId }).catch(() => undefined);
}
