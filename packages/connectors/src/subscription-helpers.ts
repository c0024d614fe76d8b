// What subscription triggers share: their connection's settings checked, a pause between failed deliveries,
// and headers made from whatever the source attached to a message.
import type { MessageHeader } from "@tributary/engine";
import type { z } from "zod";
import type { ClientKind } from "./connection-clients.ts";
import { failureOf } from "./connection-clients.ts";
import type { DeadLetterContext, SubscribeContext, Subscription } from "./define.ts";

/** The trigger's connection settings, refusing a missing connection or one of another kind. */
export function subscriptionSettings<Config extends { host: string; port: number }>(
  kind: ClientKind<Config, unknown>,
  connection: SubscribeContext<unknown>["connection"],
): Config {
  if (connection?.type !== kind.type) {
    throw new Error(`This trigger needs a ${kind.service} connection; the one chosen is missing or another kind.`);
  }
  return (kind.config as z.ZodType<Config>).parse(connection.config);
}

/** Opens a client for a trigger, its failures said as a step's would be. */
export async function openForSubscription<Config extends { host: string; port: number }, Client>(
  kind: ClientKind<Config, Client>,
  { connection, http }: Pick<SubscribeContext<unknown>, "connection" | "http">,
): Promise<{ client: Client; settings: Config }> {
  const settings = subscriptionSettings(kind as ClientKind<Config, unknown>, connection);
  try {
    return { client: await kind.open(settings, await http.resolve(settings.host)), settings };
  } catch (error) {
    throw failureOf(kind, settings, error);
  }
}

/** A source's own headers (strings, numbers, lists) as message headers; objects as JSON. */
export function headersFrom(entries: Record<string, unknown> | undefined, prefix = ""): MessageHeader[] {
  return Object.entries(entries ?? {})
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([name, value]) => ({
      name: `${prefix}${name}`,
      value:
        typeof value === "string" ? value : Buffer.isBuffer(value) ? value.toString("utf8") : JSON.stringify(value),
    }));
}

/**
 * What a dead letter carries besides its body, as headers (or properties, or stream fields): why and when its run
 * failed, and `source` (e.g. `{ "x-tributary-queue": "orders" }`), where the message came from. The error is
 * one line: NATS refuses line breaks in a header value, and Mosquitto drops a client that sends control
 * characters in an MQTT 5 user property.
 */
export function deadLetterHeaders(
  run: DeadLetterContext<unknown>["run"],
  source: Record<string, string>,
): Record<string, string> {
  return {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it takes out
    "x-tributary-error": run.error.replace(/\s*[\u0000-\u001f\u007f]+\s*/g, " ").slice(0, 4000),
    "x-tributary-run-id": run.id,
    "x-tributary-flow-id": run.flowId,
    "x-tributary-failed-at": run.failedAt.toISOString(),
    ...source,
  };
}

/** The value of a header the trigger put on the message when it received it (e.g. `nats-subject`). */
export const receivedHeader = (message: DeadLetterContext<unknown>["message"], name: string) =>
  message.headers.find((header) => header.name === name)?.value;

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A subscription that polls: `look` runs now and then every `intervalMs` (at once again when it says there is
 * more) until the subscription is closed; it ends, with the reason, when a look fails.
 */
export function pollingSubscription({
  intervalMs,
  look,
  failure = (error) => error as Error,
  finished,
}: {
  intervalMs: number;
  /** One look; resolves true when there is more to read at once. `closing` says to stop early. */
  look: (closing: () => boolean) => Promise<unknown>;
  failure?: (error: unknown) => Error;
  /** Runs once the subscription has ended, e.g. to close a pool. */
  finished?: () => Promise<void>;
}): Subscription {
  let closing = false;
  let wake: () => void = () => {};
  const ended = (async (): Promise<Error | null> => {
    while (!closing) {
      let more: unknown;
      try {
        more = await look(() => closing);
      } catch (error) {
        return closing ? null : failure(error);
      }
      if (more === true) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return null;
  })().finally(() => finished?.());
  return {
    ended,
    async close() {
      closing = true;
      wake();
      await ended;
    },
  };
}
