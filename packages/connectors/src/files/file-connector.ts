// The file connectors, written once for SFTP and FTP: upload, download, list, move and delete steps, and a
// trigger for new files that moves (or deletes) each file once its run is committed.
import type { Readable } from "node:stream";
import { parse as parseCsv } from "csv-parse";
import { z } from "zod";
import { connectionField, failureOf, pingConnection } from "../connection-clients.ts";
import { defineConnectionType } from "../connections.ts";
import { type ActionContext, defineAction, defineConnector, defineTrigger, StepFailure, text } from "../define.ts";
import { withTimeout } from "../network/network-failure.ts";
import { binary, bytesOf, textOrBinary } from "../payload.ts";
import { placeResult, resultField } from "../result-field.ts";
import { pollingSubscription, subscriptionSettings } from "../subscription-helpers.ts";
import { type FileEngine, type FileSession, joinPath, namePattern, parentOf } from "./file-session.ts";

/** A CSV file's rows (objects named by its header line) in batches, parsed as the bytes arrive. */
async function* csvBatches(
  stream: Readable,
  { batchSize, csvDelimiter }: { batchSize: number; csvDelimiter: string },
): AsyncGenerator<Record<string, string>[]> {
  const parser = stream.pipe(
    parseCsv({ columns: true, delimiter: csvDelimiter.replace("\\t", "\t"), skip_empty_lines: true, bom: true }),
  );
  stream.on("error", (error) => parser.destroy(error));
  let batch: Record<string, string>[] = [];
  for await (const row of parser) {
    batch.push(row as Record<string, string>);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

const remotePath = (title: string, description?: string) =>
  text()
    .pipe(
      z
        .string()
        .min(1, { message: `Give the ${title.toLowerCase()}.` })
        .max(4096),
    )
    .meta({ title, ...(description ? { description } : {}) });

export function fileConnector<Config extends { host: string; port: number; timeoutSeconds: number }>(
  engine: FileEngine<Config>,
) {
  const connectionId = () => connectionField(engine);
  const label = engine.type.toUpperCase();

  /** A session of its own for each use (FTP does one thing at a time on a connection). */
  async function withSession<T>(
    { connection, http }: Pick<ActionContext<unknown>, "connection" | "http">,
    work: (files: FileSession) => Promise<T>,
  ): Promise<T> {
    if (connection?.type !== engine.type) {
      throw new StepFailure(`This step needs an ${label} connection; the one chosen is missing or another kind.`);
    }
    const config = engine.config.parse(connection.config);
    let files: FileSession | null = null;
    try {
      files = await engine.open(config, await http.resolve(config.host));
      // The whole step within the connection's timeout: SFTP operations have none of their own.
      return await withTimeout(work(files), config.timeoutSeconds * 1000, {
        service: engine.service,
        host: config.host,
        port: config.port,
      });
    } catch (error) {
      if (error instanceof StepFailure) throw error;
      throw failureOf(engine, config, error);
    } finally {
      await files?.close().catch(() => undefined);
    }
  }

  const upload = defineAction({
    type: `${engine.type}.upload`,
    example: { config: { path: "/outbox/order-{{ id }}.json", createDirectories: true } },
    title: `${label} upload`,
    description:
      "Writes a file: the body (or the content given) — text as UTF-8, binary as its bytes, anything else as JSON. The body passes on.",
    category: "Files",
    config: z.object({
      connectionId: connectionId(),
      path: remotePath("Path", "e.g. /outbox/order-{{ id }}.csv"),
      content: z
        .unknown()
        .optional()
        .meta({ title: "Content", description: "Empty: the message body.", widget: "json" }),
      createDirectories: z.boolean().default(false).meta({ title: "Create missing folders" }),
    }),
    async run(context) {
      const { config, message } = context;
      const bytes = Buffer.from(bytesOf(config.content === undefined ? message.body : config.content));
      await withSession(context, async (files) => {
        if (config.createDirectories) await files.makeDirectory(parentOf(config.path));
        await files.write(config.path, bytes);
      });
      return {};
    },
  });

  const download = defineAction({
    type: `${engine.type}.download`,
    example: { config: { path: "/inbox/prices.csv", as: "text" }, output: "sku,price\nX,2.5\n" },
    title: `${label} download`,
    description:
      "Reads a file; the body becomes its content: text when it is UTF-8 (or asked for), else binary ({ contentType, size, base64 }).",
    category: "Files",
    config: z.object({
      connectionId: connectionId(),
      path: remotePath("Path"),
      as: z.enum(["auto", "text", "binary"]).default("auto").meta({ title: "Read as" }),
      resultField: resultField(),
    }),
    async run(context) {
      const { config, message } = context;
      const bytes = await withSession(context, async (files) => {
        try {
          return await files.read(config.path);
        } catch (error) {
          if (engine.isMissing(error)) throw new StepFailure(`There is no file ${config.path}.`, { code: "not_found" });
          throw error;
        }
      });
      const content =
        config.as === "text"
          ? bytes.toString("utf8")
          : config.as === "binary"
            ? binary(bytes, "application/octet-stream")
            : textOrBinary(bytes);
      return placeResult(config.resultField, message, content);
    },
  });

  const list = defineAction({
    type: `${engine.type}.list`,
    example: {
      config: { directory: "/inbox", pattern: "*.csv" },
      output: [
        { name: "a.csv", path: "/inbox/a.csv", size: 120, modifiedAt: "2026-11-30T08:00:00.000Z", isDirectory: false },
      ],
    },
    title: `${label} list`,
    description: "Lists a folder; the body becomes its entries (name, path, size, modifiedAt, isDirectory), by name.",
    category: "Files",
    config: z.object({
      connectionId: connectionId(),
      directory: remotePath("Folder"),
      pattern: z
        .string()
        .max(200)
        .default("*")
        .meta({ title: "Names like", description: "* and ? as wildcards, e.g. *.csv" }),
      resultField: resultField(),
    }),
    async run(context) {
      const { config, message } = context;
      const matches = namePattern(config.pattern);
      const entries = await withSession(context, (files) => files.list(config.directory));
      const found = entries.filter((entry) => matches.test(entry.name)).sort((a, b) => a.name.localeCompare(b.name));
      return placeResult(config.resultField, message, found);
    },
  });

  const move = defineAction({
    type: `${engine.type}.move`,
    example: { config: { from: "/inbox/{{ name }}", to: "/archive/{{ name }}" } },
    title: `${label} move or rename`,
    description: "Moves or renames a file. The body passes on.",
    category: "Files",
    config: z.object({ connectionId: connectionId(), from: remotePath("From"), to: remotePath("To") }),
    async run(context) {
      await withSession(context, (files) => files.move(context.config.from, context.config.to));
      return {};
    },
  });

  const remove = defineAction({
    type: `${engine.type}.delete`,
    example: { config: { path: "/inbox/{{ name }}" } },
    title: `${label} delete`,
    description: "Deletes a file. The body passes on.",
    category: "Files",
    config: z.object({
      connectionId: connectionId(),
      path: remotePath("Path"),
      missingOk: z.boolean().default(false).meta({ title: "Fine if it is not there" }),
    }),
    async run(context) {
      const { config } = context;
      await withSession(context, async (files) => {
        try {
          await files.remove(config.path);
        } catch (error) {
          if (!engine.isMissing(error)) throw error;
          if (!config.missingOk) throw new StepFailure(`There is no file ${config.path}.`, { code: "not_found" });
        }
      });
      return {};
    },
  });

  const newFile = defineTrigger({
    type: `${engine.type}.new-file`,
    example: { config: { directory: "/inbox", pattern: "*.csv", afterRun: "move", intervalSeconds: 30 } },
    title: `${label} new file`,
    description:
      "Starts a run for each file that appears in a folder, with its name and content — or, for large CSV files, one run per batch of rows, read as they arrive; once the runs are committed the file is moved to a folder of processed files (or deleted), so it is run once. The body is { name, path, size, modifiedAt, content } (or { …, batch, rows }).",
    category: "Files",
    config: z.object({
      connectionId: connectionId(),
      directory: z.string().min(1, { message: "Give the folder to watch." }).meta({ title: "Folder" }),
      pattern: z.string().max(200).default("*").meta({ title: "Names like", description: "* and ? as wildcards" }),
      afterRun: z.enum(["move", "delete"]).default("move").meta({ title: "Then" }),
      processedDirectory: z
        .string()
        .optional()
        .meta({ title: "Move to folder", description: "Empty: a “processed” folder inside the watched one." }),
      as: z.enum(["auto", "text", "binary"]).default("auto").meta({ title: "Read content as" }),
      split: z.enum(["file", "csv-rows"]).default("file").meta({
        title: "One run per",
        description: "file: the whole file; csv-rows: a batch of CSV rows, read as they arrive (for large files).",
      }),
      batchSize: z.number().int().min(1).max(100_000).default(1000).meta({ title: "Rows per run (csv-rows)" }),
      csvDelimiter: z.string().min(1).max(5).default(",").meta({ title: "CSV delimiter (csv-rows)" }),
      intervalSeconds: z.number().int().min(1).max(3600).default(30).meta({ title: "Look every (s)" }),
    }),
    async subscribe({ config, connection, http, deliver }) {
      const settings = subscriptionSettings(engine, connection);
      const address = await http.resolve(settings.host);
      const matches = namePattern(config.pattern);
      const processed = config.processedDirectory || joinPath(config.directory, "processed");
      const look = async (closing: () => boolean) => {
        const files = await engine.open(settings, address);
        try {
          if (config.afterRun === "move") await files.makeDirectory(processed);
          const entries = (await files.list(config.directory))
            .filter((entry) => !entry.isDirectory && matches.test(entry.name))
            .sort((a, b) => (a.modifiedAt ?? "").localeCompare(b.modifiedAt ?? "") || a.name.localeCompare(b.name));
          for (const entry of entries) {
            if (closing()) return;
            const file = { name: entry.name, path: entry.path, size: entry.size, modifiedAt: entry.modifiedAt };
            const headers = [{ name: `${engine.type}-path`, value: entry.path }];
            // A file (or batch) seen again, because the worker stopped before moving the file, is not run twice.
            const seen = `${entry.path}:${entry.size}:${entry.modifiedAt ?? ""}`;
            if (config.split === "csv-rows") {
              let batch = 0;
              for await (const rows of csvBatches(files.readStream(entry.path), config)) {
                await deliver({ body: { ...file, batch, rows }, headers, dedupeKey: `${seen}:${batch}` });
                batch += 1;
              }
            } else {
              const bytes = await files.read(entry.path);
              const content =
                config.as === "text"
                  ? bytes.toString("utf8")
                  : config.as === "binary"
                    ? binary(bytes, "application/octet-stream")
                    : textOrBinary(bytes);
              await deliver({ body: { ...file, content }, headers, dedupeKey: seen });
            }
            if (config.afterRun === "move") await files.move(entry.path, joinPath(processed, entry.name));
            else await files.remove(entry.path);
          }
        } finally {
          await files.close().catch(() => undefined);
        }
      };
      return pollingSubscription({
        intervalMs: config.intervalSeconds * 1000,
        look,
        failure: (error) => failureOf(engine, settings, error),
      });
    },
  });

  return defineConnector({
    id: engine.type,
    title: label,
    description: `Upload, download, list, move and delete files on an ${label} server, and start runs for new files.`,
    steps: [newFile, upload, download, list, move, remove],
    connectionTypes: [
      defineConnectionType({
        type: engine.type,
        title: engine.service,
        description: `An ${label} server, for the ${label} steps.`,
        config: engine.config,
        secretFields: ["password", "privateKey", "passphrase"].filter(
          (field) => field in (engine.config as unknown as { shape: object }).shape,
        ),
        test: ({ config, http }) => pingConnection(engine, { config: config as Config, http }),
      }),
    ],
  });
}
