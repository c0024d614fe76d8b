// The SQL connectors, written once for every SqlEngine: a connection type with its availability ping, a trigger
// for new rows, and steps to query with bound parameters, insert or upsert rows, and run transactions.
import { describeBody } from "@tributary/engine";
import { z } from "zod";
import { type ClientKind, connectionField, pingConnection, withClient } from "../connection-clients.ts";
import { defineConnectionType } from "../connections.ts";
import { type ActionContext, defineAction, defineConnector, defineTrigger, StepFailure, text } from "../define.ts";
import { isBinary } from "../payload.ts";
import { placeResult, resultField } from "../result-field.ts";
import { openForSubscription, pollingSubscription } from "../subscription-helpers.ts";
import {
  type SqlConnectionConfig,
  type SqlEngine,
  type SqlPool,
  sqlConnectionConfig,
  sqlParams,
  sqlText,
} from "./sql-engine.ts";

/** Bound values: objects and lists as JSON text (for json columns), missing values as NULL. */
function bindable(value: unknown): unknown {
  if (value === undefined) return null;
  if (value !== null && typeof value === "object" && !(value instanceof Date)) return JSON.stringify(value);
  return value;
}

const USABLE_AS_ROWS =
  "Rows are objects whose keys are column names (one, or a list). A queue message that is not JSON arrives as text: send JSON, or turn the text into fields first (a Transform or Parse step).";

/**
 * The rows an insert was given, refusing what is not rows rather than inserting something else: text or
 * binary (a non-JSON message), a row that is not an object, an empty row ({}: a mapping that found none of
 * its fields) or a row whose every value is missing. Each says which row and what it was.
 */
export function insertableRows(given: unknown, source: string): Record<string, unknown>[] {
  const rows = Array.isArray(given) ? given : [given];
  rows.forEach((row, index) => {
    const which = rows.length === 1 ? `The row (${source})` : `Row ${index + 1} of ${source}`;
    if (!row || typeof row !== "object" || Array.isArray(row) || isBinary(row)) {
      throw new StepFailure(`${which} is ${describeBody(row)}, not an object to insert. ${USABLE_AS_ROWS}`, {
        code: "invalid_input",
      });
    }
    const values = Object.values(row);
    if (!values.length || values.every((value) => value === null || value === undefined)) {
      throw new StepFailure(
        `${which} is ${values.length ? `empty: every column (${Object.keys(row).join(", ")}) is null` : "an empty object ({})"}, so nothing of the message would be inserted. A mapping finds no fields when the message is not the JSON it expects. ${USABLE_AS_ROWS}`,
        { code: "invalid_input" },
      );
    }
  });
  return rows as Record<string, unknown>[];
}

export function sqlConnector(engine: SqlEngine) {
  const connectionSchema = sqlConnectionConfig({ defaultPort: engine.defaultPort, schemes: engine.urlSchemes });
  const connectionId = () => connectionField({ type: engine.id, service: engine.service });

  const kind: ClientKind<SqlConnectionConfig, SqlPool> = {
    type: engine.id,
    service: engine.service,
    config: connectionSchema,
    open: (config, address) => engine.open({ config, address }),
    close: (pool) => pool.close(),
    ping: (pool) => pool.query("SELECT 1", []),
    describe: engine.describe,
  };
  const withPool = <T>(context: ActionContext<unknown>, work: (pool: SqlPool) => Promise<T>) =>
    withClient(kind, context, work);

  const connectionType = defineConnectionType({
    type: engine.id,
    title: engine.service,
    description: `A ${engine.service} database, for the ${engine.service} steps.`,
    config: connectionSchema,
    secretFields: ["password"],
    test: ({ config, http }) => pingConnection(kind, { config: { ...config, poolSize: 1 }, http }),
  });

  const query = defineAction({
    type: `${engine.id}.query`,
    example: {
      config: {
        sql: `SELECT id, total FROM orders WHERE customer_id = ${engine.placeholder(1)} AND total >= ${engine.placeholder(2)}`,
        params: ["{{ customer.id }}", 100],
      },
      output: { rows: [{ id: "A-1", total: 120 }], rowCount: 1 },
    },
    title: `${engine.service} query`,
    description: `Runs one SQL statement with bound parameters (${engine.placeholder(1)}, ${engine.placeholder(2)}…); the body becomes { rows, rowCount }.`,
    category: "Databases",
    config: z.object({ connectionId: connectionId(), sql: sqlText(), params: sqlParams(), resultField: resultField() }),
    async run(context) {
      const { config, message } = context;
      const answer = await withPool(context, (pool) => pool.query(config.sql, config.params.map(bindable)));
      return placeResult(config.resultField, message, answer);
    },
  });

  const insert = defineAction({
    type: `${engine.id}.insert`,
    example: {
      config: { table: "orders", onConflict: "update", conflictColumns: ["id"] },
      input: [
        { id: "A-1", total: 120 },
        { id: "A-2", total: 80 },
      ],
      output: { rowCount: 2 },
    },
    title: `${engine.service} insert rows`,
    description:
      "Inserts a list of rows (objects whose keys are columns) in one transaction; clashing rows fail, are skipped, or update the existing ones.",
    category: "Databases",
    config: z.object({
      connectionId: connectionId(),
      table: text()
        .pipe(z.string().trim().min(1, { message: "Name the table." }).max(200))
        .meta({ title: "Table", description: "e.g. orders or sales.orders" }),
      rows: z
        .unknown()
        .optional()
        .meta({ title: "Rows", description: "Empty: the body (a list of objects, or one object).", widget: "json" }),
      onConflict: z
        .enum(["fail", "skip", "update"])
        .default("fail")
        .meta({ title: "When a row clashes with an existing one" }),
      conflictColumns: z
        .array(z.string().min(1))
        .default([])
        .meta({ title: "Key columns (update)", description: "The unique columns rows clash on; kept as they are." }),
      batchSize: z.number().int().min(1).max(5000).default(500).meta({ title: "Rows per statement" }),
      resultField: resultField(),
    }),
    async run(context) {
      const { config, message } = context;
      const given = config.rows === undefined ? message.body : config.rows;
      const records = insertableRows(given, config.rows === undefined ? "the message body" : "the Rows field");
      const columns = [...new Set(records.flatMap((row) => Object.keys(row)))];
      if (!records.length) return placeResult(config.resultField, message, { rowCount: 0 });
      const conflict =
        config.onConflict === "fail"
          ? { prefix: "INSERT", suffix: "" }
          : engine.onConflict(config.onConflict, columns, config.conflictColumns);
      const perStatement = Math.max(1, Math.min(config.batchSize, Math.floor(60_000 / columns.length)));
      const statements: { sql: string; params: unknown[] }[] = [];
      for (let start = 0; start < records.length; start += perStatement) {
        const params: unknown[] = [];
        const tuples = records.slice(start, start + perStatement).map(
          (row) =>
            `(${columns
              .map((column) => {
                params.push(bindable(row[column]));
                return engine.placeholder(params.length);
              })
              .join(", ")})`,
        );
        const sql = `${conflict.prefix} INTO ${engine.quoteTable(config.table)} (${columns.map(engine.quoteColumn).join(", ")}) VALUES ${tuples.join(", ")}${conflict.suffix}`;
        statements.push({ sql, params });
      }
      const rowCount = await withPool(context, async (pool) => {
        // One statement is atomic on its own: no BEGIN and COMMIT round trips around it.
        const [only] = statements;
        if (statements.length === 1 && only) return (await pool.query(only.sql, only.params)).rowCount;
        return pool.transaction(async (run) => {
          let count = 0;
          for (const { sql, params } of statements) count += (await run(sql, params)).rowCount;
          return count;
        });
      });
      return placeResult(config.resultField, message, { rowCount });
    },
  });

  const transaction = defineAction({
    type: `${engine.id}.transaction`,
    example: {
      config: {
        statements: [
          {
            sql: `UPDATE stock SET qty = qty - ${engine.placeholder(1)} WHERE sku = ${engine.placeholder(2)}`,
            params: ["{{ qty }}", "{{ sku }}"],
          },
          {
            sql: `INSERT INTO reservations (sku, qty) VALUES (${engine.placeholder(1)}, ${engine.placeholder(2)})`,
            params: ["{{ sku }}", "{{ qty }}"],
          },
        ],
      },
    },
    title: `${engine.service} transaction`,
    description: "Runs statements in order in one transaction: all of them happen, or none (the step fails).",
    category: "Databases",
    config: z.object({
      connectionId: connectionId(),
      statements: z
        .array(z.object({ sql: sqlText(), params: sqlParams() }))
        .min(1, { message: "Add a statement." })
        .max(100)
        .meta({ title: "Statements", description: 'e.g. [{ "sql": "…", "params": ["{{ id }}"] }]', widget: "json" }),
      resultField: resultField(),
    }),
    async run(context) {
      const { config, message } = context;
      const results = await withPool(context, (pool) =>
        pool.transaction(async (run) => {
          const answers = [];
          for (const statement of config.statements)
            answers.push(await run(statement.sql, statement.params.map(bindable)));
          return answers;
        }),
      );
      return placeResult(config.resultField, message, { results });
    },
  });

  const newRows = defineTrigger({
    type: `${engine.id}.new-rows`,
    example: { config: { table: "orders", cursorColumn: "id", intervalSeconds: 10 }, input: { id: 1041, total: 120 } },
    title: `${engine.service} new rows`,
    description:
      "Starts a run for each row added to a table, found by a column that only grows (an id or a sequence number). It polls; where it has read up to is kept, so rows added while the flow was paused or no worker ran are picked up later, and none is run twice. Rows already there when the flow is first published are not.",
    category: "Databases",
    config: z.object({
      connectionId: connectionId(),
      table: z.string().trim().min(1, { message: "Name the table." }).max(200).meta({ title: "Table" }),
      cursorColumn: z
        .string()
        .trim()
        .min(1, { message: "Name the column." })
        .max(200)
        .default("id")
        .meta({ title: "Column that only grows", description: "e.g. id; a timestamp misses rows that share one." }),
      intervalSeconds: z.number().int().min(1).max(3600).default(10).meta({ title: "Look every (s)" }),
      batch: z.number().int().min(1).max(1000).default(100).meta({ title: "Rows per look" }),
    }),
    async subscribe({ config, connection, http, deliver, cursor }) {
      const { client: pool } = await openForSubscription(kind, { connection, http });
      const table = engine.quoteTable(config.table);
      const column = engine.quoteColumn(config.cursorColumn);
      const asCursor = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value));
      let last = await cursor.load();
      if (last === null) {
        const { rows } = await pool.query(`SELECT MAX(${column}) AS last FROM ${table}`, []);
        const max = rows[0]?.last;
        if (max !== null && max !== undefined) {
          last = asCursor(max);
          await cursor.save(last);
        }
      }
      return pollingSubscription({
        intervalMs: config.intervalSeconds * 1000,
        finished: () => pool.close().catch(() => undefined),
        async look() {
          const { rows } =
            last === null
              ? await pool.query(`SELECT * FROM ${table} ORDER BY ${column} LIMIT ${config.batch}`, [])
              : await pool.query(
                  `SELECT * FROM ${table} WHERE ${column} > ${engine.placeholder(1)} ORDER BY ${column} LIMIT ${config.batch}`,
                  [last],
                );
          for (const row of rows) {
            const value = asCursor(row[config.cursorColumn]);
            await deliver({
              body: row,
              headers: [{ name: `${engine.id}-table`, value: config.table }],
              dedupeKey: `${config.table}:${value}`,
            });
            last = value;
            await cursor.save(value);
          }
          return rows.length === config.batch;
        },
      });
    },
  });

  return defineConnector({
    id: engine.id,
    title: engine.service,
    description: `Query ${engine.service} with bound parameters, insert or upsert rows, run transactions.`,
    steps: [newRows, query, insert, transaction],
    connectionTypes: [connectionType],
  });
}
