// "Send dead letters to": publishes a failed run's message to the destination its trigger's config names,
// through the trigger's own connection. The run executor only queues the job (for trigger types that can send);
// this reloads the run and does the rest, so a broker that is down delays the copy, never the run's end.
import { DEAD_LETTER_SENDERS, STEP_DEFINITIONS, type TriggerDefinition } from "@tributary/connectors";
import { type Db, deadLetterToSend, type SecretBox, subscriptionConnection } from "@tributary/core";
import type { JobQueue } from "@tributary/queue";
import type { Logger } from "pino";
import type { createHttpClients } from "../runs/http-clients.ts";

/** Queues the sending of a failed run's message when its trigger can send dead letters somewhere. */
export function queueDeadLetter({
  queue,
  run,
}: {
  queue: JobQueue;
  run: { workspaceId: string; id: string; trigger: string };
}): Promise<unknown> | undefined {
  if (!DEAD_LETTER_SENDERS.has(run.trigger)) return undefined;
  return queue.enqueue(
    "dead-letters.send",
    { schemaVersion: 1, workspaceId: run.workspaceId, runId: run.id },
    { jobId: `dead-letter~${run.id}` },
  );
}

export function createDeadLetterSender({
  db,
  secretBox,
  httpClients,
  log,
}: {
  db: Db;
  secretBox: SecretBox;
  httpClients: ReturnType<typeof createHttpClients>;
  log: Logger;
}) {
  return async function sendDeadLetter({ workspaceId, runId }: { workspaceId: string; runId: string }) {
    const found = await deadLetterToSend({ db, workspaceId, runId });
    if (!found) return;
    const definition = STEP_DEFINITIONS.get(found.trigger.step.type) as TriggerDefinition | undefined;
    if (!definition?.deadLetter) return;
    const sent = await definition.deadLetter({
      config: definition.config.parse(found.trigger.step.config),
      connection: await subscriptionConnection({ db, secretBox, subscription: found.trigger }),
      http: httpClients.forWorkspace(found.trigger),
      message: found.message,
      run: found.run,
    });
    if (sent) log.info({ runId, flowId: found.run.flowId }, "sent a dead letter to the trigger's dead-letter queue");
  };
}
