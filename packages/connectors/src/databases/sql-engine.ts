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

const BY_FIELDS = { showWhen: { connectWith: ["fields"] } };
const REQUIRED_BY_FIELDS = { ...BY_FIELDS, description: "Required unless connecting by URL." };

/** What TLS a connection URL asks for (`sslmode` for PostgreSQL, `ssl-mode` or `ssl` for MySQL), if it says. */
function tlsOfUrl(params: URLSearchParams): "disable" | "require" | "verify" | undefined {
  const mode = (params.get("sslmode") ?? params.get("ssl-mode") ?? params.get("ssl") ?? "").toLowerCase();
  if (!mode) return undefined;
  if (["disable", "disabled", "false", "0"].includes(mode)) return "disable";
  if (mode.startsWith("verify")) return "verify";
  return "require";
}

/**
 * A database connection, given by its parts or by one URL (`postgresql://user:password@host:5432/db?sslmode=require`).
 * A URL is read into the parts when saved, so the password in it is sealed like the password field.
 */
export const sqlConnectionConfig = ({ defaultPort, schemes }: { defaultPort: number; schemes: readonly string[] }) =>
  z
    .object({
      connectWith: z
        .enum(["fields", "url"])
        .default("fields")
        .meta({ title: "Connect with", description: "fields: host, port, user…; url: one connection URL." }),
      url: z
        .string()
        .trim()
        .optional()
        .meta({
          title: "Connection URL",
          widget: "password",
          description: `e.g. ${schemes[0]}://user:password@db.example.com:${defaultPort}/orders. Read into the fields when saved; its password is sealed.`,
          showWhen: { connectWith: ["url"] },
        }),
      host: z
        .string()
        .trim()
        .optional()
        .meta({ title: "Host", ...REQUIRED_BY_FIELDS }),
      port: z
        .number()
        .int()
        .min(1)
        .max(65535)
        .default(defaultPort)
        .meta({ title: "Port", ...BY_FIELDS }),
      database: z
        .string()
        .trim()
        .optional()
        .meta({ title: "Database", ...REQUIRED_BY_FIELDS }),
      user: z
        .string()
        .trim()
        .optional()
        .meta({ title: "User", ...REQUIRED_BY_FIELDS }),
      password: z
        .string()
        .optional()
        .meta({ title: "Password", widget: "password", ...BY_FIELDS }),
      tls: z.enum(["disable", "require", "verify"]).default("require").meta({
        title: "TLS",
        description:
          "require: encrypted; verify: encrypted and the certificate checked; disable: plain text. A URL's sslmode wins.",
      }),
      connectTimeoutSeconds: z.number().int().min(1).max(120).default(10).meta({ title: "Connect timeout (s)" }),
      queryTimeoutSeconds: z.number().int().min(1).max(3600).default(30).meta({ title: "Statement timeout (s)" }),
      poolSize: z.number().int().min(1).max(20).default(5).meta({ title: "Connections kept open (per worker)" }),
    })
    .transform(({ connectWith, url, ...config }, ctx) => {
      let parts = { host: config.host, port: config.port, database: config.database, user: config.user };
      let { password, tls } = config;
      if (connectWith === "url") {
        let parsed: URL;
        try {
          parsed = new URL(url ?? "");
        } catch {
          ctx.addIssue({
            code: "custom",
            path: ["url"],
            message: `Enter a connection URL such as ${schemes[0]}://user:password@db.example.com:${defaultPort}/orders.`,
          });
          return z.NEVER;
        }
        const scheme = parsed.protocol.replace(/:$/, "");
        if (!schemes.includes(scheme)) {
          ctx.addIssue({
            code: "custom",
            path: ["url"],
            message: `A connection URL here starts with ${schemes.map((s) => `${s}://`).join(" or ")}, not ${scheme}://.`,
          });
          return z.NEVER;
        }
        parts = {
          host: decodeURIComponent(parsed.hostname).replace(/^\[|\]$/g, ""),
          port: parsed.port ? Number(parsed.port) : defaultPort,
          database: decodeURIComponent(parsed.pathname.replace(/^\//, "")),
          user: decodeURIComponent(parsed.username),
        };
        // A URL without a password keeps the saved one (secret fields left empty keep their values).
        if (parsed.password) password = decodeURIComponent(parsed.password);
        tls = tlsOfUrl(parsed.searchParams) ?? tls;
      }
      const missing = {
        host: "Enter the database server's host name.",
        database: "Name the database.",
        user: "Enter the user name.",
      } as const;
      for (const [field, message] of Object.entries(missing)) {
        if (parts[field as keyof typeof missing]) continue;
        ctx.addIssue({
          code: "custom",
          path: [connectWith === "url" ? "url" : field],
          message:
            connectWith === "url"
              ? `The URL names no ${field}: write it as ${schemes[0]}://user:password@host:${defaultPort}/database.`
              : message,
        });
      }
      if (!parts.host || !parts.database || !parts.user) return z.NEVER;
      return {
        ...config,
        host: parts.host,
        port: parts.port,
        database: parts.database,
        user: parts.user,
        tls,
        ...(password ? { password } : {}),
      };
    });

export type SqlConnectionConfig = z.output<ReturnType<typeof sqlConnectionConfig>>;

/** How a pool reaches the server: the checked address, and the host name for TLS. */
export type SqlTarget = { config: SqlConnectionConfig; address: string };

export type SqlEngine = {
  /** Step types are named `<id>.query` and so on; connections are of type `<id>`. */
  id: string;
  service: string;
  defaultPort: number;
  /** The schemes a connection URL for this database starts with, the usual one first. */
  urlSchemes: readonly string[];
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
