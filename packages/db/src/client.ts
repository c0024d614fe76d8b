// The one place that builds the Prisma client. Every session runs as tributary_app (see the init migration),
// whatever user the URL names, so row-level security always applies to the application.
import { PrismaClient } from "./generated/prisma/client.ts";
import { SafeTransactionsPrismaPg } from "./prisma-adapter.ts";
import { createSqlPool, type SqlPool } from "./sql.ts";

export const APP_ROLE = "tributary_app";

/** The ORM for most work, and a plain SQL pool for the worker's hot path (see sql.ts). */
export type Db = PrismaClient & { sql: SqlPool /** The ORM's own pool, for monitoring. */; ormPool: SqlPool };

export type CreateDbOptions = {
  url: string;
  /** Pool size per process. */
  maxConnections?: number;
};

export function createDb({ url, maxConnections = 10 }: CreateDbOptions): Db {
  // Prisma's adapter gets a pool of ours, guarded like the SQL pool against a restarting Postgres.
  const ormPool = createSqlPool({ url, maxConnections });
  const adapter = new SafeTransactionsPrismaPg(ormPool, { disposeExternalPool: true });
  const prisma = new PrismaClient({ adapter });
  const sql = createSqlPool({ url, maxConnections });
  const disconnect = prisma.$disconnect.bind(prisma);
  return Object.assign(prisma, {
    sql,
    ormPool,
    async $disconnect() {
      await Promise.all([disconnect(), sql.end()]);
    },
  });
}
