// Keeps the subscription triggers of active flows consuming: on every sync it reads which should run, holds the
// lease of each it runs (one consumer per trigger across all workers), starts those it got, restarts those
// whose flow version, settings or connection changed, and stops those whose flow was paused or deleted. A
// consumer that ends on its own (the broker restarted) is started again with growing pauses. Listener triggers
// (HL7 MLLP) are subscriptions too: the worker holding one gives it its port and checks its peers. Each trigger's
// status (consuming, retrying, failing, with its last error) is kept in Redis for the flow's pages.
import { createHash, randomUUID } from "node:crypto";
import { STEP_DEFINITIONS, type Subscription, type TriggerDefinition } from "@tributary/connectors";
import {
  type ActiveSubscription,
  AppError,
  activeSubscriptions,
  assignListenerPort,
  clearTriggerStatus,
  createMessage,
  type Db,
  endedRuns,
  FAILING_AFTER,
  loadTriggerCursor,
  noteDeliveryFailure,
  type OpenedRule,
  openSecurityRules,
  type PortRange,
  pendingDeliveries,
  pruneListenerPorts,
  type RunEventHub,
  type RunIntake,
  recordTriggerStatus,
  renewTriggerStatus,
  ruleFailuresKey,
  type SecretBox,
  saveTriggerCursor,
  settleDeliveries,
  subscriptionConnection,
  type TriggerState,
  type TriggerStatus,
  uuidv7,
  verifyPeer,
} from "@tributary/core";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { createHttpClients } from "../runs/http-clients.ts";
import { createRunAnswers } from "./run-answers.ts";
import { createSubscriptionLeases } from "./subscription-leases.ts";

type Held = {
  workspaceId: string;
  fingerprint: string;
  stopped: boolean;
  subscription: Subscription | null;
  wake: () => void;
  done: Promise<void>;
  /** As last noted; null while it starts for the first time. */
  state: TriggerState | null;
};

const SUBSCRIPTION_TRIGGERS = [...STEP_DEFINITIONS.values()].filter(
  (definition): definition is TriggerDefinition => definition.kind === "trigger" && Boolean(definition.subscribe),
);
const TYPES = SUBSCRIPTION_TRIGGERS.map((definition) => definition.type);
const LISTENER_TYPES = SUBSCRIPTION_TRIGGERS.filter((definition) => definition.listens).map((d) => d.type);
/** How often a topic subscriber drops what waited past its topic's age limit (it looks for messages far more often). */
const TOPIC_EXPIRY_EVERY_MS = 10_000;
/** How long a workspace's security rules are kept for checking listener peers; edits apply within it. */
const RULES_TTL_MS = 1000;

export function createSubscriptionManager({
  db,
  redis,
  intake,
  events,
  secretBox,
  httpClients,
  log,
  leaseMs,
  listeners,
  onTriggerFailing,
}: {
  db: Db;
  redis: Redis;
  intake: RunIntake;
  events: RunEventHub;
  secretBox: SecretBox;
  httpClients: ReturnType<typeof createHttpClients>;
  log: Logger;
  leaseMs: number;
  /** Where listener triggers listen: the address to bind and the range their ports come from. */
  listeners: { host: string; ports: PortRange };
  /** Told once each time a trigger turns to failing (FAILING_AFTER failures in a row), for alerts. */
  onTriggerFailing: (event: {
    workspaceId: string;
    flowId: string;
    stepId: string;
    failures: number;
    error: string;
  }) => void;
}) {
  const leases = createSubscriptionLeases({ redis, holder: `worker:${randomUUID()}`, leaseMs });
  const answers = createRunAnswers({ events, db });
  const rules = new Map<string, { until: number; rules: Promise<Map<string, OpenedRule>> }>();
  const held = new Map<string, Held>();
  let syncing: Promise<void> | null = null;
  let closed = false;

  function rulesOf(workspaceId: string): Promise<Map<string, OpenedRule>> {
    const cached = rules.get(workspaceId);
    if (cached && cached.until > Date.now()) return cached.rules;
    const loaded = openSecurityRules({ db, secretBox, workspaceId });
    rules.set(workspaceId, { until: Date.now() + RULES_TTL_MS, rules: loaded });
    loaded.catch(() => rules.delete(workspaceId));
    return loaded;
  }

  /** Whether a listener's security rules let a peer in; refusals count on the rule, as webhooks' do. */
  async function admit(active: ActiveSubscription, address: string): Promise<boolean> {
    const ruleIds = (active.step.config as { securityRuleIds?: string[] }).securityRuleIds ?? [];
    if (!ruleIds.length) return true;
    const verdict = verifyPeer({ rules: await rulesOf(active.workspaceId), ruleIds, clientIp: address });
    if (verdict.ok) return true;
    if (verdict.unfit) {
      log.warn(
        { flowId: active.flowId, stepId: active.step.id, rules: verdict.unfit },
        "listener refuses every peer: only IP allow-list rules can be checked on a socket",
      );
    }
    const pipeline = redis.pipeline();
    for (const ruleId of verdict.failedRuleIds) {
      const failures = ruleFailuresKey({ workspaceId: active.workspaceId, ruleId });
      pipeline.incr(failures).set(`${failures}:last`, new Date().toISOString());
    }
    void pipeline.exec().catch(() => undefined);
    return false;
  }

  function consume(
    key: string,
    active: ActiveSubscription,
    connection: Awaited<ReturnType<typeof subscriptionConnection>>,
    fingerprint: string,
    port: number | null,
  ) {
    const definition = STEP_DEFINITIONS.get(active.step.type) as TriggerDefinition;
    const context = { flowId: active.flowId, stepId: active.step.id, type: active.step.type };
    const address = { workspaceId: active.workspaceId, flowId: active.flowId, stepId: active.step.id };
    const entry: Held = {
      workspaceId: active.workspaceId,
      fingerprint,
      stopped: false,
      subscription: null,
      wake: () => undefined,
      done: Promise.resolve(),
      state: null,
    };
    const nap = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        entry.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    let status: TriggerStatus | null = null;
    const note = (next: Omit<TriggerStatus, "stepId" | "since">) => {
      if (entry.stopped) return;
      const now = new Date().toISOString();
      status = { ...next, stepId: active.step.id, since: status?.state === next.state ? status.since : now };
      entry.state = next.state;
      void recordTriggerStatus({
        redis,
        workspaceId: active.workspaceId,
        flowId: active.flowId,
        status,
        ttlMs: leaseMs,
      }).catch((error: Error) => log.warn({ ...context, error: error.message }, "could not record trigger status"));
    };
    const failed = (failures: number, message: string) => {
      if (failures === FAILING_AFTER && !entry.stopped) {
        onTriggerFailing({ ...address, failures, error: message });
      }
      note({
        state: failures >= FAILING_AFTER ? "failing" : "retrying",
        failures,
        lastError: message,
        lastErrorAt: new Date().toISOString(),
      });
    };
    let nextExpiry = 0;
    entry.done = (async () => {
      for (let failures = 0; !entry.stopped; ) {
        try {
          const subscription = await definition.subscribe?.({
            config: definition.config.parse(active.step.config),
            connection,
            http: httpClients.forWorkspace(active),
            durableName: `tributary-${active.flowId}-${active.step.id}`.replace(/[^A-Za-z0-9_-]/g, "_"),
            cursor: {
              load: () => loadTriggerCursor({ db, ...address }),
              save: (cursor) => saveTriggerCursor({ db, ...address, cursor }),
            },
            topic: {
              pending: async (limit) => {
                const expire = Date.now() >= nextExpiry;
                if (expire) nextExpiry = Date.now() + TOPIC_EXPIRY_EVERY_MS;
                const { deliveries, expired } = await pendingDeliveries({ db, ...address, limit, expire });
                if (expired) log.warn({ ...context, expired }, "topic messages waited past the topic's age limit");
                return deliveries;
              },
              settle: (messageIds) => settleDeliveries({ db, ...address, messageIds }),
              failed: (messageId, error) => noteDeliveryFailure({ db, ...address, messageId, error }),
              ended: (runIds) => endedRuns({ db, workspaceId: active.workspaceId, runIds }),
            },
            log: (level, message) => log[level]({ ...context }, message),
            listen: port === null ? null : { host: listeners.host, port },
            admit: ({ address }) => admit(active, address),
            awaitAnswer: ({ runId, timeoutMs }) =>
              answers.awaitAnswer({ workspaceId: active.workspaceId, runId, timeoutMs }),
            deliver: async ({ body, headers, dedupeKey }) => {
              try {
                return await intake.accept({
                  runId: uuidv7(),
                  workspaceId: active.workspaceId,
                  flowId: active.flowId,
                  versionId: active.versionId,
                  triggerStepId: active.step.id,
                  message: createMessage({ id: randomUUID(), body, headers: headers ?? [] }),
                  trigger: active.step.type,
                  idempotency: dedupeKey
                    ? {
                        key: dedupeKey,
                        bodyHash: createHash("sha256")
                          .update(JSON.stringify(body) ?? "")
                          .digest("hex"),
                      }
                    : null,
                });
              } catch (error) {
                // The source sent another message under an id it used before. A listener refuses it to its
                // sender (an MLLP AR); a broker's message is not run (running it could repeat or skip work)
                // and is acknowledged, so it does not come back for ever.
                if (!(error instanceof AppError && error.code === "UNPROCESSABLE_CONTENT") || definition.listens) {
                  throw error;
                }
                log.error({ ...context, dedupeKey }, error.message);
                return { runId: String(error.details?.firstRunId), duplicate: true };
              }
            },
          });
          if (!subscription) return;
          if (entry.stopped) {
            await subscription.close();
            return;
          }
          entry.subscription = subscription;
          log.info(context, "subscription consuming");
          failures = 0;
          // The last error stays shown beside "consuming": what went wrong before it recovered, and when.
          const previous = status as TriggerStatus | null;
          note({
            state: "consuming",
            failures: 0,
            lastError: previous?.lastError ?? null,
            lastErrorAt: previous?.lastErrorAt ?? null,
          });
          const reason = await subscription.ended;
          entry.subscription = null;
          if (entry.stopped) return;
          log.warn({ ...context, reason: reason?.message }, "subscription ended; starting it again");
          failed(failures + 1, reason?.message ?? "The source closed the subscription.");
        } catch (error) {
          log.warn({ ...context, error: (error as Error).message }, "subscription could not start; trying again");
          failed(failures + 1, (error as Error).message);
        }
        failures += 1;
        await nap(Math.min(30_000, 250 * 2 ** failures));
      }
    })();
    held.set(key, entry);
  }

  async function stop(key: string): Promise<void> {
    const entry = held.get(key);
    if (!entry) return;
    held.delete(key);
    entry.stopped = true;
    entry.wake();
    await entry.subscription?.close().catch(() => undefined);
    await entry.done;
    await leases.release(key).catch(() => undefined);
    const [flowId = "", stepId = ""] = key.split(":");
    await clearTriggerStatus({ redis, workspaceId: entry.workspaceId, flowId, stepId }).catch(() => undefined);
    log.info({ subscription: key }, "subscription stopped");
  }

  async function syncOnce(): Promise<void> {
    const desired = await activeSubscriptions({ db, types: TYPES });
    const wanted = new Set<string>();
    for (const active of desired) {
      const key = `${active.flowId}:${active.step.id}`;
      wanted.add(key);
      let connection: Awaited<ReturnType<typeof subscriptionConnection>> = null;
      try {
        connection = await subscriptionConnection({ db, secretBox, subscription: active });
      } catch (error) {
        log.warn(
          { flowId: active.flowId, stepId: active.step.id, error: (error as Error).message },
          "subscription connection cannot be opened",
        );
      }
      let port: number | null = null;
      if (LISTENER_TYPES.includes(active.step.type)) {
        port = await assignListenerPort({
          db,
          workspaceId: active.workspaceId,
          flowId: active.flowId,
          stepId: active.step.id,
          range: listeners.ports,
        });
      }
      const fingerprint = createHash("sha256")
        .update(
          JSON.stringify([active.versionId, active.step.config, connection?.config ?? null, active.allowedHosts, port]),
        )
        .digest("base64url");
      const current = held.get(key);
      if (current && current.fingerprint !== fingerprint) await stop(key);
      if (!(await leases.hold(key))) {
        // Another worker holds it (or took it over after our lease lapsed): it is theirs.
        if (held.has(key)) await stop(key);
        continue;
      }
      if (!held.has(key) && !closed) consume(key, active, connection, fingerprint, port);
    }
    for (const key of [...held.keys()]) if (!wanted.has(key)) await stop(key);
    const flows = new Map([...held].map(([key, entry]) => [key.split(":")[0] ?? "", entry.workspaceId]));
    await Promise.all(
      [...flows].map(([flowId, workspaceId]) =>
        renewTriggerStatus({ redis, workspaceId, flowId, ttlMs: leaseMs }).catch(() => undefined),
      ),
    );
    if (LISTENER_TYPES.length) await pruneListenerPorts({ db, types: LISTENER_TYPES });
  }

  return {
    /** Brings the consumers in line with Postgres; calls while one runs wait for it. */
    sync(): Promise<void> {
      syncing ??= syncOnce().finally(() => {
        syncing = null;
      });
      return syncing;
    },
    /** The triggers this worker holds, by state ("starting" before their first attempt ends). */
    states(): Record<TriggerState | "starting", number> {
      const counts = { starting: 0, consuming: 0, retrying: 0, failing: 0 };
      for (const entry of held.values()) counts[entry.state ?? "starting"]++;
      return counts;
    },
    async close(): Promise<void> {
      closed = true;
      await syncing?.catch(() => undefined);
      await Promise.all([...held.keys()].map(stop));
    },
  };
}
