// MySQL and MariaDB through mysql2: a pool per connection; statements time out on the client.
import { connect } from "node:net";
import type { SqlEngine, SqlPool, SqlResult, SqlTarget } from "./sql-engine.ts";

const quote = (name: string) => `\`${name.replaceAll("`", "``")}\``;

function result(answer: unknown): SqlResult {
  const [rows] = answer as [unknown];
  if (Array.isArray(rows)) return { rows: rows as Record<string, unknown>[], rowCount: rows.length };
  const header = rows as { affectedRows?: number; insertId?: number };
  return { rows: [], rowCount: header.affectedRows ?? 0 };
}

const AUTH: Record<string, string> = {
  ER_ACCESS_DENIED_ERROR: "refused the user name or password",
  ER_BAD_DB_ERROR: "has no such database",
  ER_DBACCESS_DENIED_ERROR: "does not let this user use that database",
  ER_TABLEACCESS_DENIED_ERROR: "does not let this user do that",
};

export const mysqlEngine: SqlEngine = {
  id: "mysql",
  service: "MySQL",
  defaultPort: 3306,
  urlSchemes: ["mysql", "mariadb"],
  async open({ config, address }: SqlTarget) {
    const { default: mysql } = await import("mysql2/promise");
    const pool = mysql.createPool({
      // The socket goes to the checked address; the host name stays for TLS verification.
      host: config.host,
      stream: () => connect({ host: address, port: config.port }),
      port: config.port,
      database: config.database,
      user: config.user,
      ...(config.password ? { password: config.password } : {}),
      ...(config.tls === "disable"
        ? {}
        : { ssl: { rejectUnauthorized: config.tls === "verify", verifyIdentity: config.tls === "verify" } }),
      connectionLimit: config.poolSize,
      maxIdle: config.poolSize,
      idleTimeout: 30_000,
      connectTimeout: config.connectTimeoutSeconds * 1000,
      dateStrings: false,
      supportBigNumbers: true,
      bigNumberStrings: true,
    });
    const timeout = config.queryTimeoutSeconds * 1000;
    const sqlPool: SqlPool = {
      query: async (sql, params) => result(await pool.query({ sql, timeout }, params)),
      async transaction(work) {
        const connection = await pool.getConnection();
        try {
          await connection.beginTransaction();
          const value = await work(async (sql, params) => result(await connection.query({ sql, timeout }, params)));
          await connection.commit();
          return value;
        } catch (error) {
          await connection.rollback().catch(() => undefined);
          throw error;
        } finally {
          connection.release();
        }
      },
      close: () => pool.end(),
    };
    return sqlPool;
  },
  quoteTable: (name) => name.split(".").map(quote).join("."),
  quoteColumn: quote,
  placeholder: () => "?",
  onConflict(mode, columns, conflictColumns) {
    if (mode === "skip") return { prefix: "INSERT IGNORE", suffix: "" };
    const updates = columns.filter((c) => !conflictColumns.includes(c)).map((c) => `${quote(c)} = VALUES(${quote(c)})`);
    return { prefix: "INSERT", suffix: updates.length ? ` ON DUPLICATE KEY UPDATE ${updates.join(", ")}` : "" };
  },
  describe(error, config) {
    const code = (error as { code?: unknown })?.code;
    const where = `MySQL at ${config.host}:${config.port}`;
    if (typeof code === "string" && AUTH[code])
      return `${where} ${AUTH[code]} (user ${config.user}, database ${config.database}).`;
    if (typeof code === "string" && code.startsWith("ER_")) return `MySQL: ${(error as Error).message} (${code}).`;
    if (
      /server does not support secure connection|HANDSHAKE_NO_SSL_SUPPORT/i.test(`${code} ${(error as Error)?.message}`)
    ) {
      return `${where} does not offer TLS; set TLS to disable if plain text is acceptable there.`;
    }
    return null;
  },
};
