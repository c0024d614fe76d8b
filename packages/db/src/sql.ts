// Plain SQL on a pg pool, for the worker's hot path (taking runs up, checkpointing, finishing), where the
// ORM's per-query cost dominated (measured: over half the worker's CPU). Same role, same row-level security:
// every call runs in a transaction scoped to one workspace.
import pg from "pg";
import { APP_ROLE } from "./client.ts";

export type SqlPool = pg.Pool;
export type SqlClient = pg.PoolClient;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A pool of connections as the app's role. Postgres restarting ends every session with an error (57P01) that a
 * connection may emit at any moment, also twice or while checked out; unheard, it would end the process. So
 * every connection always has a listener, and the pool drops broken connections and opens new ones.
 * Without JIT compilation: the application's statements are short and keyed, and one that a stale estimate
 * puts over `jit_above_cost` spent far longer compiling than running (measured: the statistics rollup of a
 * webhook batch, 3 ms of work, compiled for 58 ms — the webhooks waiting on that commit with it).
 * Prepared statements are left to Postgres's choice of plan (the general one, or one made for the values): a
 * general plan forced on every statement is made once per connection with the statistics of that moment, and
 * one made while a workspace had no runs read every run it had by then on each pickup (test: key-lookups).
 */
export function createSqlPool({ url, maxConnections = 10 }: { url: string; maxConnections?: number }): SqlPool {
  const pool = new pg.Pool({
    connectionString: url,
    max: maxConnections,
    options: `-c role=${APP_ROLE} -c jit=off`,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on("error", () => {});
  pool.on("connect", (client) => {
    client.on("error", () => {});
  });
  return pool;
}

/**
 * Runs `work` in one transaction whose row-level security scope is the workspace. A transaction that is not
 * `durable` commits without waiting for its disk flush: for writes whose loss in a database crash costs only
 * time (a run marked taken up is taken up again), never data.
 */
export async function sqlInWorkspace<T>(
  pool: SqlPool,
  workspaceId: string,
  work: (client: SqlClient) => Promise<T>,
  { durable = true }: { durable?: boolean } = {},
): Promise<T> {
  // The id is checked to be a UUID, so it can go into the statement that opens the transaction: one round trip.
  if (!UUID.test(workspaceId)) throw new Error(`Not a workspace id: ${workspaceId}`);
  const client = await pool.connect();
  // A connection the server dropped while checked out is thrown away, not given back for reuse.
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on("error", onError);
  try {
    await client.query(
      `BEGIN;${durable ? "" : " SET LOCAL synchronous_commit TO off;"} SELECT set_config('app.workspace_id', '${workspaceId}', true)`,
    );
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    if (!broken) await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.off("error", onError);
    client.release(broken);
  }
}

/**
 * A statement Postgres prepares once per connection (PREPARE) and runs by name (EXECUTE), for a statement that
 * names one row by its key: planned for a parameter, a key's probe is its only plan, however many rows the
 * planner takes the workspace to hold. (A batch that joins its keys to a table is planned for the batch, and a
 * planner that takes a workspace to be small — no statistics yet, or a big tenant among many small ones —
 * hashes every row the workspace holds into the join instead.) Being planned once, it also costs no planning
 * per row. The same holds for a batch whose rows come in a JSON parameter (json_to_recordset): its plan does
 * not depend on the values, and Postgres parsing, analysing and planning every batch anew was ≈ 14 % of the
 * machine's CPU in the queue → insert benchmark. Its name must be unique in the process.
 */
export type PreparedStatement = { name: string; parameterTypes: string[]; text: string };

/** A statement and its values ($1, $2…): its text, or a prepared statement. */
export type Statement = { text: string; values: unknown[] } | { prepared: PreparedStatement; values: unknown[] };

/**
 * The names of the statements a connection holds (Postgres keeps them until the connection ends), kept on the
 * connection's client itself: whatever wraps the client, or a second copy of this module, sees the same record.
 */
const PREPARED = Symbol.for("tributary.preparedStatements");
type PreparingClient = SqlClient & { [PREPARED]?: Set<string> };

/**
 * Statements in one round trip, scoped to the workspace like `sqlInWorkspace`: the scope and the statements
 * go as one simple query, which Postgres runs as one implicit transaction (so the scope ends with it, and a
 * failed statement rolls all of it back). The worker's hot path is a handful of such round trips per batch of
 * runs, and on a busy machine each round trip is two system calls and a wake-up on both sides. Values are
 * inlined as literals, which Postgres types from their context exactly as it types a parameter sent as text.
 * Returns each statement's rows.
 *
 * Not itself async: the batch's text and values are let go of once the query is sent (see TextOnceQuery),
 * which an async function's saved parameters would prevent.
 */
export function sqlStatementsInWorkspace(
  pool: SqlPool,
  workspaceId: string,
  statements: Statement[],
  { durable = true }: { durable?: boolean } = {},
): Promise<pg.QueryResultRow[][]> {
  const scope = [
    ...(durable ? [] : ["SET LOCAL synchronous_commit TO off"]),
    `SELECT set_config('app.workspace_id', '${workspaceId}', true)`,
  ];
  let query: TextOnceQuery;
  try {
    if (!UUID.test(workspaceId)) throw new Error(`Not a workspace id: ${workspaceId}`);
    query = new TextOnceQuery(batchText([...scope.map((text) => ({ text, values: [] })), ...statements]));
  } catch (error) {
    return Promise.reject(error);
  }
  const toPrepare = statements.flatMap((statement) => ("prepared" in statement ? [statement.prepared] : []));
  return runBatch(pool, query, toPrepare, scope.length);
}

/** The statements as one text, joined once: a value (often a long JSON text) is copied into it once. */
function batchText(statements: Statement[]): string {
  const parts: string[] = [];
  statements.forEach((statement, index) => {
    if (index > 0) parts.push(";\n");
    writeStatement(statement, parts);
  });
  return parts.join("");
}

async function runBatch(
  pool: SqlPool,
  query: TextOnceQuery,
  toPrepare: PreparedStatement[],
  scopeLength: number,
): Promise<pg.QueryResultRow[][]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on("error", onError);
  try {
    await prepare(client, toPrepare).catch((error: Error) => {
      broken = error;
      throw error;
    });
    const results = await query.sendOn(client);
    return results.slice(scopeLength).map((result) => result.rows);
  } finally {
    client.off("error", onError);
    client.release(broken);
  }
}

/**
 * A simple query that drops its text once sent; node-postgres would hold it until the answer. A batch's text
 * runs to hundreds of kilobytes: held through the round trip, it outlived a young-generation collection and
 * was promoted — a third of what the web process's full collections freed under webhook load (pauses of
 * 35–48 ms every ≈ 3 s, which set the sync webhook's p99).
 */
class TextOnceQuery extends pg.Query {
  constructor(text: string) {
    super(text);
    const submit = this.submit;
    this.submit = (connection) => {
      const refused = submit.call(this, connection);
      (this as { text?: string }).text = undefined;
      return refused;
    };
  }

  sendOn(client: SqlClient): Promise<pg.QueryResult[]> {
    return new Promise((resolve, reject) => {
      this.once("end", (results) => resolve(results as unknown as pg.QueryResult[]));
      this.once("error", reject);
      client.query(this);
    });
  }
}

/** One statement in one round trip (see sqlStatementsInWorkspace); its rows. */
export async function sqlStatementInWorkspace<Row extends pg.QueryResultRow>(
  pool: SqlPool,
  workspaceId: string,
  text: string,
  values: unknown[],
  options: { durable?: boolean } = {},
): Promise<Row[]> {
  const [rows] = await sqlStatementsInWorkspace(pool, workspaceId, [{ text, values }], options);
  return (rows ?? []) as Row[];
}

/**
 * Prepares on the connection, in a round trip of their own, the statements it has not prepared yet. A batch that
 * fails may have prepared some of its statements and not others: its caller closes the connection rather than
 * reuse it with statements it holds unrecorded.
 */
async function prepare(client: PreparingClient, statements: PreparedStatement[]): Promise<void> {
  client[PREPARED] ??= new Set<string>();
  const prepared = client[PREPARED];
  const missing = new Map<string, PreparedStatement>();
  for (const statement of statements) {
    if (!prepared.has(statement.name)) missing.set(statement.name, statement);
  }
  if (missing.size === 0) return;
  await client.query(
    [...missing.values()]
      .map(({ name, parameterTypes, text }) => `PREPARE ${name}(${parameterTypes.join(", ")}) AS ${text}`)
      .join(";\n"),
  );
  for (const name of missing.keys()) prepared.add(name);
}

/** Appends the statement's text to `parts`, its values as literals. */
function writeStatement(statement: Statement, parts: string[]): void {
  if ("prepared" in statement) {
    parts.push(`EXECUTE ${statement.prepared.name}(`);
    statement.values.forEach((value, index) => {
      if (index > 0) parts.push(", ");
      writeLiteral(value, parts);
    });
    parts.push(")");
    return;
  }
  // `$n` placeholders outside quotes and comments are replaced by their values.
  const { text, values } = statement;
  let done = 0;
  for (const match of text.matchAll(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\$(\d+)/g)) {
    const index = match[1];
    if (index === undefined) continue;
    const position = Number(index) - 1;
    if (position < 0 || position >= values.length) throw new Error(`The statement uses $${index}, which has no value.`);
    parts.push(text.slice(done, match.index));
    writeLiteral(values[position], parts);
    done = match.index + match[0].length;
  }
  parts.push(text.slice(done));
}

/**
 * A value as a SQL literal, written as node-postgres writes a parameter (arrays as array literals, objects as
 * JSON). Text goes dollar-quoted ($v$…$v$): nothing in it is escaped, so neither this process nor Postgres's
 * lexer goes through a long JSON body for quotes and backslashes (escaping copied every stored message once
 * more). Its tag is one the text does not contain.
 */
function writeLiteral(value: unknown, parts: string[]): void {
  if (value === null || value === undefined) {
    parts.push("NULL");
    return;
  }
  if (Buffer.isBuffer(value)) {
    parts.push(`E'\\\\x${value.toString("hex")}'`);
    return;
  }
  const text = textOf(value);
  let tag = "$v$";
  for (let n = 0; text.includes(tag); n++) tag = `$v${n}$`;
  parts.push(tag, text, tag);
}

function textOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    const items = value.map((item) =>
      item === null || item === undefined ? "NULL" : `"${textOf(item).replace(/[\\"]/g, "\\$&")}"`,
    );
    return `{${items.join(",")}}`;
  }
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

let lastMs = 0;
let sequence = 0;

/**
 * A UUIDv7 (RFC 9562): 48 bits of milliseconds, a 12-bit sequence, then randomness, so ids sort by creation
 * time — and, within this process, in the order they were made: ids of one millisecond count up in the
 * sequence (RFC 9562's method 1), so the steps of a run stored together keep their order. A clock that steps
 * back, or 4,096 ids in a millisecond, borrow the next millisecond. The randomness comes from a random UUID
 * (Node draws those from a cached pool of entropy, where a fresh draw per id was a system call); its variant
 * bits are already right.
 */
export function uuidv7(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    // Starts low, so a millisecond has room to count.
    sequence = Math.floor(Math.random() * 0x400);
  } else if (++sequence > 0xfff) {
    lastMs += 1;
    sequence = 0;
  }
  const time = lastMs.toString(16).padStart(12, "0");
  return `${time.slice(0, 8)}-${time.slice(8)}-7${sequence.toString(16).padStart(3, "0")}${crypto.randomUUID().slice(18)}`;
}

/** The smallest UUIDv7 of a moment: ids are time-ordered, so `id >= uuidv7Floor(t)` selects rows made since t by index. */
export function uuidv7Floor(at: Date): string {
  const hex = at.getTime().toString(16).padStart(12, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}
