// When a schedule or polling trigger fires: a cron expression in a time zone, or a fixed interval, between
// optional start and end times. The same cron-parser BullMQ's job schedulers use computes the fire times the
// builder shows, so what users see is what runs.
import { CronExpressionParser } from "cron-parser";
import { z } from "zod";

export const MISSED_TICKS = ["run-once", "skip"] as const;

/** A tick that fires later than this (no worker was running) counts as missed. */
export const MISSED_AFTER_MS = 60_000;

export const timingFields = {
  cron: z
    .string()
    .trim()
    .max(100)
    .optional()
    .meta({ title: "Cron", description: "e.g. 0 9 * * 1-5 (9:00 on weekdays)" }),
  timezone: z.string().max(64).default("UTC").meta({ title: "Time zone" }),
  intervalSeconds: z.number().int().min(1).max(31_536_000).optional().meta({ title: "Every (seconds)" }),
  startAt: z.iso.datetime({ offset: true }).optional().meta({ title: "Start at" }),
  endAt: z.iso.datetime({ offset: true }).optional().meta({ title: "End at" }),
  missed: z
    .enum(MISSED_TICKS)
    .default("run-once")
    .meta({ title: "Ticks missed while down", description: "run-once: one catch-up run; skip: wait for the next." }),
};

export type Timing = {
  cron?: string | undefined;
  timezone: string;
  intervalSeconds?: number | undefined;
  startAt?: string | undefined;
  endAt?: string | undefined;
  missed: (typeof MISSED_TICKS)[number];
};

/** The problem with a timing, in words for the config panel, or null. */
export function timingProblem(timing: Timing): { field: keyof Timing; message: string } | null {
  if (!timing.cron && !timing.intervalSeconds) {
    return { field: "cron", message: "Set when it runs: a cron expression (e.g. 0 7 * * 1-5) or an interval." };
  }
  if (timing.cron && timing.intervalSeconds) {
    return { field: "cron", message: "Set either a cron expression or an interval, not both." };
  }
  if (!isTimeZone(timing.timezone)) {
    return { field: "timezone", message: `"${timing.timezone}" is not a time zone; use a name like Europe/Berlin.` };
  }
  if (timing.cron) {
    try {
      CronExpressionParser.parse(timing.cron, { tz: timing.timezone, strict: false });
    } catch (error) {
      return { field: "cron", message: `Not a cron expression: ${(error as Error).message}` };
    }
  }
  if (timing.startAt && timing.endAt && Date.parse(timing.endAt) <= Date.parse(timing.startAt)) {
    return { field: "endAt", message: "The end must come after the start." };
  }
  return null;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export type RepeatOptions =
  | { pattern: string; tz: string; startDate?: number; endDate?: number }
  | { every: number; startDate?: number; endDate?: number };

/** The BullMQ job scheduler options of a timing. */
export function repeatOptions(timing: Timing): RepeatOptions {
  const bounds = {
    ...(timing.startAt ? { startDate: Date.parse(timing.startAt) } : {}),
    ...(timing.endAt ? { endDate: Date.parse(timing.endAt) } : {}),
  };
  if (timing.cron) return { pattern: timing.cron, tz: timing.timezone, ...bounds };
  return { every: (timing.intervalSeconds ?? 60) * 1000, ...bounds };
}

/** The next `count` fire times after `from` (fewer when the schedule ends). */
export function nextFireTimes(timing: Timing, { from = new Date(), count = 5 } = {}): Date[] {
  const start = timing.startAt ? Math.max(Date.parse(timing.startAt), from.getTime()) : from.getTime();
  const end = timing.endAt ? Date.parse(timing.endAt) : Number.POSITIVE_INFINITY;
  const times: Date[] = [];
  if (timing.cron) {
    const expression = CronExpressionParser.parse(timing.cron, {
      tz: timing.timezone,
      currentDate: new Date(start),
      ...(Number.isFinite(end) ? { endDate: new Date(end) } : {}),
    });
    while (times.length < count && expression.hasNext()) times.push(expression.next().toDate());
    return times;
  }
  // BullMQ fires an interval schedule at once (when published, or at its start), then every interval after.
  const every = (timing.intervalSeconds ?? 60) * 1000;
  for (let at = start; times.length < count && at <= end; at += every) {
    times.push(new Date(at));
  }
  return times;
}
