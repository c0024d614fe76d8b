// How steps use a connection's client (a database pool, a broker connection): opened once per connection and
// settings in this worker and shared, reached through the outbound guard, its failures said in words that name
// the server. Each kind of client says how to open, close and ping it and how to read its own errors.
import { z } from "zod";
import { type ActionContext, StepFailure } from "./define.ts";
import type { GuardedHttpClient } from "./http-client/index.ts";
import { networkFailure, withTimeout } from "./network/network-failure.ts";
import { poolKey } from "./pools.ts";

export type ClientKind<Config extends { host: string; port: number }, Client> = {
  /** The connection type this client belongs to. */
  type: string;
  service: string;
  config: z.ZodType<Config>;
  /** Opens a client to `address` (checked by the outbound guard); `config.host` stays for TLS. */
  open(config: Config, address: string): Promise<Client>;
  close(client: Client): Promise<void>;
  /** A cheap round trip that proves the server answers and lets us in. */
  ping(client: Client): Promise<unknown>;
  /** False once the client is broken for good (its connection closed): the next step opens another. */
  alive?(client: Client): boolean;
  /** The server's own errors (auth, unknown database…) in words, or null to leave them to the network check. */
  describe(error: unknown, config: Config): string | null;
};

/** The step field that picks a connection of this type. */
export const connectionField = ({ type, service }: { type: string; service: string }) =>
  z.uuid({ message: `Choose a ${service} connection.` }).meta({
    title: "Connection",
    widget: "connection",
    connectionType: type,
  });

export function failureOf<Config extends { host: string; port: number }>(
  kind: Pick<ClientKind<Config, unknown>, "service" | "describe">,
  config: Config,
  error: unknown,
): StepFailure {
  const described = kind.describe(error, config);
  if (described) return new StepFailure(described, { code: "server_error" });
  return (
    networkFailure(error, { service: kind.service, host: config.host, port: config.port }) ??
    new StepFailure(`${kind.service}: ${(error as Error)?.message ?? String(error)}`, { code: "server_error" })
  );
}

type StepConnection = NonNullable<ActionContext<unknown>["connection"]>;

// A connection's settings, read and keyed once per connection loaded (the worker keeps one for seconds and every
// step of every run uses it): not parsed and hashed again for each step.
const settingsRead = new WeakMap<StepConnection, { kind: object; config: unknown; key: string }>();

function settingsOf<Config>(kind: { config: z.ZodType<Config> }, connection: StepConnection) {
  let read = settingsRead.get(connection);
  if (read?.kind !== kind) {
    read = { kind, config: kind.config.parse(connection.config), key: poolKey(connection) };
    settingsRead.set(connection, read);
  }
  return { config: read.config as Config, key: read.key };
}

/** Runs `work` with the step's connection's shared client; failures become step failures that name the server. */
export async function withClient<Config extends { host: string; port: number }, Client, T>(
  kind: ClientKind<Config, Client>,
  { connection, http, pools }: Pick<ActionContext<unknown>, "connection" | "http" | "pools">,
  work: (client: Client, config: Config) => Promise<T>,
): Promise<T> {
  if (connection?.type !== kind.type) {
    throw new StepFailure(`This step needs a ${kind.service} connection; the one chosen is missing or another kind.`);
  }
  const { config, key } = settingsOf(kind, connection);
  try {
    const client = await pools.use(
      key,
      async () => kind.open(config, await http.resolve(config.host)),
      (open) => kind.close(open),
      kind.alive?.bind(kind),
    );
    return await work(client, config);
  } catch (error) {
    throw failureOf(kind, config, error);
  }
}

/** The availability ping of a connection: a fresh client, one round trip, closed again. */
export async function pingConnection<Config extends { host: string; port: number }, Client>(
  kind: ClientKind<Config, Client>,
  { config, http }: { config: Config; http: GuardedHttpClient },
  timeoutMs = 15_000,
): Promise<{ ok: boolean; message: string }> {
  let client: Client | null = null;
  const server = { service: kind.service, host: config.host, port: config.port };
  try {
    client = await withTimeout((async () => kind.open(config, await http.resolve(config.host)))(), timeoutMs, server);
    await withTimeout(Promise.resolve(kind.ping(client)), timeoutMs, server);
    return { ok: true, message: `${kind.service} at ${config.host}:${config.port} answered.` };
  } catch (error) {
    return { ok: false, message: failureOf(kind, config, error).message };
  } finally {
    if (client) await kind.close(client).catch(() => undefined);
  }
}
