// What the SQL connectors need of a database: a pool that runs parameterized statements and transactions,
// its identifier quoting and placeholders, and its insert-or-update syntax. PostgreSQL and MySQL/MariaDB
// implement it; the steps and the connection type are written once for both (sql-connector.ts).
import { z } from "zod";
import { text } from "../define.ts";

export type SqlResult = { rows: Record<string, unknown>[]; rowCount: number };
export type RunSql = (sql: string, params: unknown[]) => Promise<SqlResult>;

export type SqlPool = {
  query: RunSql;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (query: RunSql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

export const sqlConnectionConfig = (defaultPort: number) =>
  z.object({
    host: z.string().trim().min(1, { message: "Enter the database server's host name." }).meta({ title: "Host" }),
    port: z.number().int().min(1).max(65535).default(defaultPort).meta({ title: "Port" }),
    database: z.string().trim().min(1, { message: "Name the database." }).meta({ title: "Database" }),
    user: z.string().trim().min(1, { message: "Enter the user name." }).meta({ title: "User" }),
    password: z.string().optional().meta({ title: "Password", widget: "password" }),
    tls: z.enum(["disable", "require", "verify"]).default("require").meta({
      title: "TLS",
      description: "require: encrypted; verify: encrypted and the certificate checked; disable: plain text.",
    }),
    connectTimeoutSeconds: z.number().int().min(1).max(120).default(10).meta({ title: "Connect timeout (s)" }),
    queryTimeoutSeconds: z.number().int().min(1).max(3600).default(30).meta({ title: "Statement timeout (s)" }),
    poolSize: z.number().int().min(1).max(20).default(5).meta({ title: "Connections kept open (per worker)" }),
  });

export type SqlConnectionConfig = z.output<ReturnType<typeof sqlConnectionConfig>>;

/** How a pool reaches the server: the checked address, and the host name for TLS. */
export type SqlTarget = { config: SqlConnectionConfig; address: string };

export type SqlEngine = {
  /** Step types are named `<id>.query` and so on; connections are of type `<id>`. */
  id: string;
  service: string;
  defaultPort: number;
  open(target: SqlTarget): Promise<SqlPool>;
  /** A table name, schema-qualified or not, quoted for this database. */
  quoteTable(name: string): string;
  quoteColumn(name: string): string;
  placeholder(index: number): string;
  /** The clause that makes an insert skip or update rows that clash with existing ones. */
  onConflict(mode: "skip" | "update", columns: string[], conflictColumns: string[]): { prefix: string; suffix: string };
  /** The database's own errors (auth, unknown database…) in words, or null to leave them as they are. */
  describe(error: unknown, config: SqlConnectionConfig): string | null;
};

/** SQL is never built from the message: values go in as bound parameters ($1 or ?), never as {{ }}. */
export const sqlText = () =>
  text()
    .pipe(
      z
        .string()
        .min(1, { message: "Write the SQL statement." })
        .max(100_000)
        .refine((sql) => !sql.includes("{{"), {
          message: "Do not put {{ }} in SQL: write a placeholder and give the value in Parameters.",
        }),
    )
    .meta({ title: "SQL", widget: "textarea" });

export const sqlParams = () =>
  z.array(z.unknown()).max(1000).default([]).meta({
    title: "Parameters",
    description: 'Values for the placeholders, in order, e.g. ["{{ order.id }}", "{{ order.total }}"]',
    widget: "json",
  });
