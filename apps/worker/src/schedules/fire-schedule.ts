// One tick of a schedule or polling trigger. A schedule starts one run; a poll fetches its URL and starts one
// run per item whose key it has not seen (remembered in poll_seen, and forgotten once the API has not returned
// it for the trigger's retention). The first poll of a trigger only remembers what is there, so publishing a
// poll does not start a run for every old item.
import { randomUUID } from "node:crypto";
import { MISSED_AFTER_MS, OutboundError, pollTrigger, scheduleTrigger } from "@tributary/connectors";
import {
  type Db,
  loadScheduledTrigger,
  reconcileSchedules,
  rememberPollItems,
  startRun,
  type TriggerAddress,
} from "@tributary/core";
import { createMessage, evaluateExpression, type FlowStep } from "@tributary/engine";
import type { JobQueue } from "@tributary/queue";
import type { Logger } from "pino";
import type { createHttpClients } from "../runs/http-clients.ts";

export type Tick = TriggerAddress & { scheduledAt: number };

type Deps = { db: Db; queue: JobQueue; httpClients: ReturnType<typeof createHttpClients>; log: Logger };

export function createScheduleFirer(deps: Deps) {
  const { db, queue, log } = deps;

  return async function fireSchedule(tick: Tick): Promise<void> {
    const trigger = await loadScheduledTrigger({ db, ...tick });
    if (!trigger) {
      // The flow was paused, deleted or republished without this trigger: its scheduler is stale.
      await reconcileSchedules({ db, queue, flowId: tick.flowId });
      return;
    }
    const { step, allowedHosts, planId } = trigger;
    const lateMs = Date.now() - tick.scheduledAt;
    if (lateMs > MISSED_AFTER_MS && step.config.missed === "skip") {
      log.info({ ...tick, lateMs }, "skipped a tick missed while no worker ran");
      return;
    }
    const tickHeaders = [
      { name: "schedule-tick", value: new Date(tick.scheduledAt).toISOString() },
      { name: "schedule-fired-at", value: new Date().toISOString() },
    ];
    if (step.type === "trigger.schedule") {
      const config = scheduleTrigger.config.parse(step.config) as { body?: unknown };
      await startRun({
        db,
        queue,
        workspaceId: tick.workspaceId,
        flowId: tick.flowId,
        trigger: "schedule",
        triggerStepId: step.id,
        body: config.body ?? { firedAt: new Date(tick.scheduledAt).toISOString() },
        headers: tickHeaders,
      });
      return;
    }
    await poll({ tick, step, allowedHosts, planId, tickHeaders });
  };

  async function poll({
    tick,
    step,
    allowedHosts,
    planId,
    tickHeaders,
  }: {
    tick: Tick;
    step: FlowStep;
    allowedHosts: string[];
    planId: string;
    tickHeaders: { name: string; value: string }[];
  }) {
    const config = pollTrigger.config.parse(step.config) as {
      url: string;
      headers: { name: string; value: string }[];
      items: string;
      dedupeKey: string;
      forgetSeenAfterDays: number;
    };
    const http = deps.httpClients.forWorkspace({ planId, allowedHosts });
    let items: unknown[];
    try {
      const response = await http.request({
        method: "GET",
        url: config.url,
        headers: Object.fromEntries(config.headers.map((header) => [header.name, header.value])),
        timeoutMs: 30_000,
      });
      if (response.status < 200 || response.status >= 300) throw new Error(`it answered ${response.status}`);
      const found = await evaluateExpression({
        source: config.items,
        scope: { message: createMessage({ id: randomUUID(), body: response.json(), headers: [] }) },
        field: "items",
      });
      items = found === undefined || found === null ? [] : Array.isArray(found) ? found : [found];
    } catch (error) {
      const reason = error instanceof OutboundError ? error.message : (error as Error).message;
      log.warn({ ...tick, url: config.url, reason }, "poll failed; trying again at the next tick");
      return;
    }
    const keyed: { key: string; item: unknown }[] = [];
    for (const item of items) {
      const key = await evaluateExpression({
        source: config.dedupeKey,
        scope: { message: createMessage({ id: randomUUID(), body: item, headers: [] }) },
        field: "dedupeKey",
      });
      if (key !== undefined && key !== null)
        keyed.push({ key: typeof key === "string" ? key : JSON.stringify(key), item });
    }
    const { fresh, forgotten } = await rememberPollItems({
      db,
      ...tick,
      keys: keyed.map((entry) => entry.key),
      retentionDays: config.forgetSeenAfterDays,
    });
    if (forgotten) log.info({ ...tick, forgotten }, "forgot poll item keys not seen within the trigger's retention");
    for (const { key, item } of keyed) {
      if (!fresh.has(key)) continue;
      fresh.delete(key);
      await startRun({
        db,
        queue,
        workspaceId: tick.workspaceId,
        flowId: tick.flowId,
        trigger: "poll",
        triggerStepId: step.id,
        body: item,
        headers: [...tickHeaders, { name: "poll-item-key", value: key }],
      });
    }
  }
}
