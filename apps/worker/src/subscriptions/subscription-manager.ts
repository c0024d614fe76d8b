// Keeps the subscription triggers of active flows consuming: on every sync it reads which should run, holds the
// lease of each it runs (one consumer per trigger across all workers), starts those it got, restarts those
// whose flow version, settings or connection changed, and stops those whose flow was paused or deleted. A
// consumer that ends on its own (the broker restarted) is started again with growing pauses.
import { createHash, randomUUID } from "node:crypto";
import { STEP_DEFINITIONS, type Subscription, type TriggerDefinition } from "@tributary/connectors";
import {
  type ActiveSubscription,
  AppError,
  activeSubscriptions,
  createMessage,
  type Db,
  loadTriggerCursor,
  type RunIntake,
  type SecretBox,
  saveTriggerCursor,
  subscriptionConnection,
  uuidv7,
} from "@tributary/core";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { createHttpClients } from "../runs/http-clients.ts";
import { createSubscriptionLeases } from "./subscription-leases.ts";

type Held = {
  fingerprint: string;
  stopped: boolean;
  subscription: Subscription | null;
  wake: () => void;
  done: Promise<void>;
};

const SUBSCRIPTION_TRIGGERS = [...STEP_DEFINITIONS.values()].filter(
  (definition): definition is TriggerDefinition => definition.kind === "trigger" && Boolean(definition.subscribe),
);
const TYPES = SUBSCRIPTION_TRIGGERS.map((definition) => definition.type);

export function createSubscriptionManager({
  db,
  redis,
  intake,
  secretBox,
  httpClients,
  log,
  leaseMs,
}: {
  db: Db;
  redis: Redis;
  intake: RunIntake;
  secretBox: SecretBox;
  httpClients: ReturnType<typeof createHttpClients>;
  log: Logger;
  leaseMs: number;
}) {
  const leases = createSubscriptionLeases({ redis, holder: `worker:${randomUUID()}`, leaseMs });
  const held = new Map<string, Held>();
  let syncing: Promise<void> | null = null;
  let closed = false;

  function consume(
    key: string,
    active: ActiveSubscription,
    connection: Awaited<ReturnType<typeof subscriptionConnection>>,
    fingerprint: string,
  ) {
    const definition = STEP_DEFINITIONS.get(active.step.type) as TriggerDefinition;
    const context = { flowId: active.flowId, stepId: active.step.id, type: active.step.type };
    const address = { workspaceId: active.workspaceId, flowId: active.flowId, stepId: active.step.id };
    const entry: Held = {
      fingerprint,
      stopped: false,
      subscription: null,
      wake: () => undefined,
      done: Promise.resolve(),
    };
    const nap = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        entry.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
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
            log: (level, message) => log[level]({ ...context }, message),
            deliver: async ({ body, headers, dedupeKey }) => {
              try {
                await intake.accept({
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
                // The source sent another message under an id it used before: it is not run (running it
                // could repeat or skip work); it is acknowledged, so it does not come back for ever.
                if (!(error instanceof AppError && error.code === "UNPROCESSABLE_CONTENT")) throw error;
                log.error({ ...context, dedupeKey }, error.message);
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
          const reason = await subscription.ended;
          entry.subscription = null;
          if (entry.stopped) return;
          log.warn({ ...context, reason: reason?.message }, "subscription ended; starting it again");
        } catch (error) {
          log.warn({ ...context, error: (error as Error).message }, "subscription could not start; trying again");
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
      const fingerprint = createHash("sha256")
        .update(JSON.stringify([active.versionId, active.step.config, connection?.config ?? null, active.allowedHosts]))
        .digest("base64url");
      const current = held.get(key);
      if (current && current.fingerprint !== fingerprint) await stop(key);
      if (!(await leases.hold(key))) {
        // Another worker holds it (or took it over after our lease lapsed): it is theirs.
        if (held.has(key)) await stop(key);
        continue;
      }
      if (!held.has(key) && !closed) consume(key, active, connection, fingerprint);
    }
    for (const key of [...held.keys()]) if (!wanted.has(key)) await stop(key);
  }

  return {
    /** Brings the consumers in line with Postgres; calls while one runs wait for it. */
    sync(): Promise<void> {
      syncing ??= syncOnce().finally(() => {
        syncing = null;
      });
      return syncing;
    },
    async close(): Promise<void> {
      closed = true;
      await syncing?.catch(() => undefined);
      await Promise.all([...held.keys()].map(stop));
    },
  };
}
