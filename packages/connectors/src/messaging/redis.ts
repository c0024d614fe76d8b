// Redis: keys, counters, lists, streams and pub/sub, through one shared ioredis client per connection.
import { Redis } from "ioredis";
import { z } from "zod";
import { type ClientKind, connectionField, pingConnection, withClient } from "../connection-clients.ts";
import { defineConnectionType } from "../connections.ts";
import {
  type ActionContext,
  type ActionDefinition,
  defineAction,
  defineConnector,
  defineTrigger,
  type StepExample,
  text,
} from "../define.ts";
import { payloadOf } from "../payload.ts";
import { placeResult, resultField } from "../result-field.ts";
import { deadLetterHeaders, openForSubscription, receivedHeader } from "../subscription-helpers.ts";

const redisConfig = z.object({
  host: z.string().trim().min(1, { message: "Enter the Redis host name." }).meta({ title: "Host" }),
  port: z.number().int().min(1).max(65535).default(6379).meta({ title: "Port" }),
  username: z.string().optional().meta({ title: "User name (ACL)", description: "Empty: the default user." }),
  password: z.string().optional().meta({ title: "Password", widget: "password" }),
  database: z.number().int().min(0).max(15).default(0).meta({ title: "Database number" }),
  tls: z.boolean().default(false).meta({ title: "TLS" }),
  timeoutSeconds: z.number().int().min(1).max(120).default(10).meta({ title: "Timeout (s)" }),
});
type RedisConfig = z.output<typeof redisConfig>;

const kind: ClientKind<RedisConfig, Redis> = {
  type: "redis",
  service: "Redis",
  config: redisConfig,
  async open(config, address) {
    const client = new Redis({
      host: address,
      port: config.port,
      ...(config.username ? { username: config.username } : {}),
      ...(config.password ? { password: config.password } : {}),
      db: config.database,
      ...(config.tls ? { tls: { servername: config.host } } : {}),
      connectTimeout: config.timeoutSeconds * 1000,
      commandTimeout: config.timeoutSeconds * 1000,
      maxRetriesPerRequest: 1,
      lazyConnect: true,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    // It reconnects on its own and each command reports its own failure; the first error says why a connect failed.
    let firstError: Error | null = null;
    client.on("error", (error: Error) => {
      firstError ??= error;
    });
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      throw firstError ?? error;
    }
    return client;
  },
  close: async (client) => {
    await client.quit().catch(() => client.disconnect());
  },
  ping: (client) => client.ping(),
  describe(error, config) {
    const message = String((error as Error)?.message ?? "");
    const where = `Redis at ${config.host}:${config.port}`;
    if (/WRONGPASS|NOAUTH|invalid password|invalid username/i.test(message)) return `${where} refused the credentials.`;
    if (/NOPERM/.test(message)) return `${where} does not let this user do that: ${message}`;
    if (/^(ERR|WRONGTYPE)/.test(message)) return `Redis: ${message}`;
    return null;
  },
};

const connectionId = () => connectionField(kind);
const key = () =>
  text()
    .pipe(z.string().min(1, { message: "Name the key." }).max(1024))
    .meta({ title: "Key" });
const value = (title: string) =>
  z.unknown().optional().meta({
    title,
    description: "Empty: the message body. Text is stored as is, anything else as JSON.",
    widget: "json",
  });
const bytesToStore = (config: { value?: unknown }, context: ActionContext<unknown>) =>
  payloadOf(config.value === undefined ? context.message.body : config.value).bytes;

function redisStep<Schema extends z.ZodObject>(definition: {
  type: string;
  title: string;
  description: string;
  example: StepExample;
  config: Schema;
  run: (
    client: Redis,
    config: z.output<Schema>,
    context: ActionContext<z.output<Schema>>,
  ) => Promise<{ body?: unknown }>;
}): ActionDefinition {
  return defineAction({
    ...definition,
    category: "Redis",
    config: z.object({ connectionId: connectionId(), ...definition.config.shape }),
    run: (context) =>
      withClient(kind, context, (client) =>
        definition.run(client, context.config as z.output<Schema>, context as never),
      ),
  });
}

/** An entry's fields for XADD: each top-level field of an object (others as JSON), or anything else as `body`. */
function entryFields(entry: unknown): Record<string, string> {
  if (!entry || typeof entry !== "object" || Array.isArray(entry)) return { body: JSON.stringify(entry ?? null) };
  return Object.fromEntries(
    Object.entries(entry).map(([name, field]) => [name, typeof field === "string" ? field : JSON.stringify(field)]),
  );
}

const steps = [
  redisStep({
    type: "redis.get",
    example: { config: { key: "customer:{{ id }}" }, output: { name: "Ada" } },
    title: "Redis get",
    description: "Reads a key; the body becomes its value (null when it is missing).",
    config: z.object({
      key: key(),
      parseJson: z.boolean().default(true).meta({ title: "Read JSON values as data" }),
      resultField: resultField(),
    }),
    async run(client, config, { message }) {
      const found = await client.get(config.key);
      let result: unknown = found;
      if (found !== null && config.parseJson) {
        try {
          result = JSON.parse(found);
        } catch {
          result = found;
        }
      }
      return placeResult(config.resultField, message, result);
    },
  }),
  redisStep({
    type: "redis.set",
    example: { config: { key: "order:{{ id }}", ttlSeconds: 86400 } },
    title: "Redis set",
    description: "Writes a key, optionally with an expiry or only when it is absent; the body passes on.",
    config: z.object({
      key: key(),
      value: value("Value"),
      ttlSeconds: z.number().int().min(1).optional().meta({ title: "Expires after (s)" }),
      onlyIfAbsent: z.boolean().default(false).meta({ title: "Only if the key does not exist" }),
    }),
    async run(client, config, context) {
      const bytes = bytesToStore(config, context);
      if (config.ttlSeconds && config.onlyIfAbsent) await client.set(config.key, bytes, "EX", config.ttlSeconds, "NX");
      else if (config.ttlSeconds) await client.set(config.key, bytes, "EX", config.ttlSeconds);
      else if (config.onlyIfAbsent) await client.set(config.key, bytes, "NX");
      else await client.set(config.key, bytes);
      return {};
    },
  }),
  redisStep({
    type: "redis.delete",
    example: { config: { keys: ["order:{{ id }}"] } },
    title: "Redis delete",
    description: "Deletes keys; the body passes on (or the number deleted goes into a field).",
    config: z.object({
      keys: z
        .array(text().pipe(z.string().min(1)))
        .min(1)
        .meta({ title: "Keys", widget: "json" }),
      resultField: resultField(),
    }),
    async run(client, config, { message }) {
      const deleted = await client.del(...config.keys);
      return config.resultField ? placeResult(config.resultField, message, deleted) : {};
    },
  }),
  redisStep({
    type: "redis.incr",
    example: { config: { key: "orders:{{ $substring($now(), 0, 10) }}" }, output: 17 },
    title: "Redis increment",
    description: "Adds to a counter (creating it at 0); the body becomes the new count.",
    config: z.object({
      key: key(),
      by: z.number().int().default(1).meta({ title: "By" }),
      resultField: resultField(),
    }),
    async run(client, config, { message }) {
      return placeResult(config.resultField, message, await client.incrby(config.key, config.by));
    },
  }),
  redisStep({
    type: "redis.publish",
    example: { config: { channel: "orders" } },
    title: "Redis publish",
    description: "Publishes the body (or a value) on a pub/sub channel; the body passes on.",
    config: z.object({
      channel: text()
        .pipe(z.string().min(1, { message: "Name the channel." }))
        .meta({ title: "Channel" }),
      value: value("Message"),
    }),
    async run(client, config, context) {
      await client.publish(config.channel, bytesToStore(config, context));
      return {};
    },
  }),
  redisStep({
    type: "redis.list-push",
    example: { config: { key: "jobs", end: "tail" } },
    title: "Redis list push",
    description: "Adds the body (or a value) to the head or tail of a list; the body passes on.",
    config: z.object({
      key: key(),
      value: value("Value"),
      end: z.enum(["tail", "head"]).default("tail").meta({ title: "Add at the" }),
    }),
    async run(client, config, context) {
      const bytes = bytesToStore(config, context);
      await (config.end === "tail" ? client.rpush(config.key, bytes) : client.lpush(config.key, bytes));
      return {};
    },
  }),
  redisStep({
    type: "redis.list-pop",
    example: { config: { key: "jobs", end: "head" } },
    title: "Redis list pop",
    description: "Takes an item from the head or tail of a list; the body becomes it (null when the list is empty).",
    config: z.object({
      key: key(),
      end: z.enum(["head", "tail"]).default("head").meta({ title: "Take from the" }),
      resultField: resultField(),
    }),
    async run(client, config, { message }) {
      const item = await (config.end === "head" ? client.lpop(config.key) : client.rpop(config.key));
      let result: unknown = item;
      try {
        result = item === null ? null : JSON.parse(item);
      } catch {
        result = item;
      }
      return placeResult(config.resultField, message, result);
    },
  }),
  redisStep({
    type: "redis.stream-add",
    example: { config: { key: "events", maxLength: 100000 }, input: { kind: "paid", amount: 12 } },
    title: "Redis stream add (XADD)",
    description:
      "Appends an entry to a stream: each top-level field of the body (or of the value) becomes an entry field. The body passes on (or the entry id goes into a field).",
    config: z.object({
      key: key(),
      value: value("Entry"),
      maxLength: z.number().int().min(1).optional().meta({ title: "Keep about this many entries (MAXLEN ~)" }),
      resultField: resultField(),
    }),
    async run(client, config, context) {
      const fields = Object.entries(
        entryFields(config.value === undefined ? context.message.body : config.value),
      ).flat();
      const id = config.maxLength
        ? await client.xadd(config.key, "MAXLEN", "~", config.maxLength, "*", ...fields)
        : await client.xadd(config.key, "*", ...fields);
      return config.resultField ? placeResult(config.resultField, context.message, id) : {};
    },
  }),
];

/** A stream entry's fields as a body: one object; values that hold JSON objects or lists are parsed. */
function entryBody(fields: string[]): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const value = fields[index + 1] as string;
    let parsed: unknown = value;
    if (/^\s*[[{]/.test(value)) {
      try {
        parsed = JSON.parse(value);
      } catch {
        parsed = value;
      }
    }
    body[fields[index] as string] = parsed;
  }
  return body;
}

const streamTrigger = defineTrigger({
  type: "redis.stream-consume",
  example: { config: { stream: "orders", batch: 10 }, input: { kind: "paid", amount: "12" } },
  title: "Redis stream (consumer group)",
  description:
    "Starts a run for each new entry of a stream, read through a consumer group: an entry is acknowledged (XACK) once its run is committed, and entries a stopped worker left unacknowledged are read again by the next. Entry fields become the body's fields. An entry whose run fails is a dead letter: kept on the flow's Dead letters page to replay or discard, and added to a dead-letter stream if you name one.",
  category: "Redis",
  config: z.object({
    connectionId: connectionId(),
    stream: key(),
    group: z
      .string()
      .max(200)
      .optional()
      .meta({ title: "Consumer group", description: "Empty: one of this trigger's own." }),
    batch: z.number().int().min(1).max(500).default(10).meta({ title: "Entries per read" }),
    deadLetterStream: z.string().max(1024).default("").meta({
      title: "Send dead letters to: stream",
      description:
        "When an entry's run fails, add it to this stream too (XADD, its fields as they came, with the error in the x-tributary-error field). Empty: failed entries are only kept on the flow's Dead letters page.",
    }),
  }),
  async deadLetter({ config, connection, http, message, run }) {
    if (!config.deadLetterStream) return false;
    const fields = {
      ...entryFields(message.body),
      ...deadLetterHeaders(run, {
        "x-tributary-stream": config.stream,
        "x-tributary-entry-id": receivedHeader(message, "redis-entry-id") ?? "",
      }),
    };
    const { client } = await openForSubscription(kind, { connection, http });
    try {
      await client.xadd(config.deadLetterStream, "*", ...Object.entries(fields).flat());
      return true;
    } finally {
      await kind.close(client);
    }
  },
  async subscribe({ config, connection, http, deliver, durableName }) {
    const { client } = await openForSubscription(kind, { connection, http });
    await client.client("SETNAME", durableName); // so the server's admin can tell what it is
    const group = config.group || durableName;
    try {
      // From now on ("$"): entries added before the flow was published are not this trigger's.
      await client.xgroup("CREATE", config.stream, group, "$", "MKSTREAM");
    } catch (error) {
      if (!/BUSYGROUP/.test(String((error as Error).message))) {
        client.disconnect();
        throw error;
      }
    }
    let closing = false;
    const ended = (async (): Promise<Error | null> => {
      // This trigger's own pending entries first (left by a worker that stopped), then new ones.
      let from = "0";
      while (!closing) {
        try {
          const reply = (await client.xreadgroup(
            "GROUP",
            group,
            durableName,
            "COUNT",
            config.batch,
            "BLOCK",
            1000,
            "STREAMS",
            config.stream,
            from,
          )) as [string, [string, string[]][]][] | null;
          const entries = reply?.[0]?.[1] ?? [];
          if (from === "0" && entries.length === 0) from = ">";
          for (const [id, fields] of entries) {
            await deliver({
              body: entryBody(fields),
              headers: [
                { name: "redis-stream", value: config.stream },
                { name: "redis-entry-id", value: id },
              ],
              dedupeKey: `${config.stream}:${id}`,
            });
            await client.xack(config.stream, group, id);
          }
        } catch (error) {
          client.disconnect();
          return closing ? null : (error as Error);
        }
      }
      return null;
    })();
    return {
      ended,
      async close() {
        closing = true;
        await ended;
        client.disconnect();
      },
    };
  },
});

export const redisConnector = defineConnector({
  id: "redis",
  title: "Redis",
  description: "Keys, counters, lists, streams (XADD and consumer groups) and pub/sub on a Redis server.",
  steps: [streamTrigger, ...steps],
  connectionTypes: [
    defineConnectionType({
      type: "redis",
      title: "Redis",
      description: "A Redis server, for the Redis steps.",
      config: redisConfig,
      secretFields: ["password"],
      test: ({ config, http }) => pingConnection(kind, { config, http }),
    }),
  ],
});
