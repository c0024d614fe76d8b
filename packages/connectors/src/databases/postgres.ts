// PostgreSQL through node-postgres: a pool per connection, TLS by the connection's setting, statement
// timeouts set on the server.
import pg from "pg";
import type { SqlEngine, SqlPool, SqlResult, SqlTarget } from "./sql-engine.ts";

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

function poolConfig({ config, address }: SqlTarget, max: number): pg.PoolConfig {
  return {
    host: address,
    port: config.port,
    database: config.database,
    user: config.user,
    ...(config.password ? { password: config.password } : {}),
    ssl: config.tls === "disable" ? false : { rejectUnauthorized: config.tls === "verify", servername: config.host },
    max,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: config.connectTimeoutSeconds * 1000,
    statement_timeout: config.queryTimeoutSeconds * 1000,
    query_timeout: (config.queryTimeoutSeconds + 5) * 1000,
    application_name: "tributary",
  };
}

const result = (answer: pg.QueryResult): SqlResult => ({ rows: answer.rows ?? [], rowCount: answer.rowCount ?? 0 });

const AUTH: Record<string, string> = {
  "28P01": "refused the user name or password",
  "28000": "does not let this user in from here (pg_hba.conf)",
  "3D000": "has no such database",
  "42501": "does not let this user do that",
};

export const postgresEngine: SqlEngine = {
  id: "postgres",
  service: "PostgreSQL",
  defaultPort: 5432,
  urlSchemes: ["postgresql", "postgres"],
  async open(target) {
    const pool = new pg.Pool(poolConfig(target, target.config.poolSize));
    pool.on("error", () => undefined); // an idle client's broken socket: the pool drops it and opens another
    const sqlPool: SqlPool = {
      query: async (sql, params) => result(await pool.query(sql, params)),
      async transaction(work) {
        const client = await pool.connect();
        // The server dropping the connection mid-transaction is an error of this transaction, not of the
        // process; the connection is thrown away.
        let broken: Error | undefined;
        const onError = (error: Error) => {
          broken = error;
        };
        client.on("error", onError);
        try {
          await client.query("BEGIN");
          const value = await work(async (sql, params) => result(await client.query(sql, params)));
          await client.query("COMMIT");
          return value;
        } catch (error) {
          if (!broken) await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
          throw error;
        } finally {
          client.off("error", onError);
          client.release(broken);
        }
      },
      close: () => pool.end(),
    };
    return sqlPool;
  },
  quoteTable: (name) => name.split(".").map(quote).join("."),
  quoteColumn: quote,
  placeholder: (index) => `$${index}`,
  onConflict(mode, columns, conflictColumns) {
    const target = conflictColumns.length ? ` (${conflictColumns.map(quote).join(", ")})` : "";
    if (mode === "skip") return { prefix: "INSERT", suffix: ` ON CONFLICT${target} DO NOTHING` };
    const updates = columns
      .filter((c) => !conflictColumns.includes(c))
      .map((c) => `${quote(c)} = EXCLUDED.${quote(c)}`);
    return {
      prefix: "INSERT",
      suffix: updates.length
        ? ` ON CONFLICT${target} DO UPDATE SET ${updates.join(", ")}`
        : ` ON CONFLICT${target} DO NOTHING`,
    };
  },
  describe(error, config) {
    const code = (error as { code?: unknown })?.code;
    const where = `PostgreSQL at ${config.host}:${config.port}`;
    if (typeof code === "string" && AUTH[code])
      return `${where} ${AUTH[code]} (user ${config.user}, database ${config.database}).`;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code))
      return `PostgreSQL: ${(error as Error).message} (SQLSTATE ${code}).`;
    if (/does not support SSL|server does not support/i.test(String((error as Error)?.message))) {
      return `${where} does not offer TLS; set TLS to disable if plain text is acceptable there.`;
    }
    return null;
  },
};
