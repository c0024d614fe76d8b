// What subscription triggers share: their connection's settings checked, a pause between failed deliveries,
// and headers made from whatever the source attached to a message.
import type { MessageHeader } from "@tributary/engine";
import type { z } from "zod";
import type { ClientKind } from "./connection-clients.ts";
import { failureOf } from "./connection-clients.ts";
import type { SubscribeContext } from "./define.ts";

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

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
