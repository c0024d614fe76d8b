// Prisma CLI configuration that works offline: Prisma 6.19's JS/wasm schema engine through the pg adapter,
// so no engine binary is ever downloaded (see README "Database"). Used by the CLI only, never at runtime.
//
// Two work-arounds for @prisma/adapter-pg 6.19.3 bugs, to remove when upstream fixes land:
// 1) prisma/orm#27403: pg_catalog columns of type "char", name, regclass… are rejected as
//    UnsupportedNativeDataType while the engine introspects; we report them as text / text[].
// 2) adapter-pg's executeScript() splits a migration on every ";" (even inside comments and $$ bodies) and
//    runs the pieces outside a transaction; we send the script whole, which Postgres runs atomically.
// 3) adapter-pg's connectToShadowDb() ignores the database name and drops the shadow database before
//    closing its pool; we create and drop the shadow database ourselves.

import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { defineConfig } from "prisma/config";

const TEXT = 25;
const TEXT_ARRAY = 1009;
const CATALOG_TYPE_AS_TEXT: Record<number, number> = {
  18: TEXT, // "char"
  19: TEXT, // name
  24: TEXT, // regproc
  2205: TEXT, // regclass
  1002: TEXT_ARRAY, // "char"[]
  1003: TEXT_ARRAY, // name[]
};

type Fields = { fields?: { dataTypeID: number }[] };
function reportCatalogTypesAsText<T>(result: T): T {
  for (const set of (Array.isArray(result) ? result : [result]) as Fields[]) {
    for (const field of set?.fields ?? []) {
      const replacement = CATALOG_TYPE_AS_TEXT[field.dataTypeID];
      if (replacement !== undefined) field.dataTypeID = replacement;
    }
  }
  return result;
}

type Queryable = { query: (...args: unknown[]) => unknown };
for (const proto of [pg.Pool.prototype, pg.Client.prototype] as unknown as Queryable[]) {
  const query = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const out = query.apply(this, args);
    return out instanceof Promise ? out.then(reportCatalogTypesAsText) : out;
  };
}

function poolConfig(url: string): pg.PoolConfig {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
  };
}

type PgAdapter = Awaited<ReturnType<PrismaPg["connect"]>>;

function runScriptsWhole(adapter: PgAdapter): PgAdapter {
  const driver = adapter.underlyingDriver();
  adapter.executeScript = async (script) => {
    await driver.query(script);
  };
  return adapter;
}

function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: the Prisma CLI needs it for every command, generate included.");
  return url;
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  async adapter(): Promise<SqlMigrationAwareDriverAdapterFactory> {
    const config = poolConfig(databaseUrl());
    const main = new PrismaPg(config);
    return {
      provider: main.provider,
      adapterName: main.adapterName,
      connect: async () => runScriptsWhole(await main.connect()),
      async connectToShadowDb(): Promise<SqlDriverAdapter> {
        const name = `prisma_shadow_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
        const admin = new pg.Client(config);
        await admin.connect();
        await admin.query(`CREATE DATABASE "${name}"`);
        const adapter = runScriptsWhole(await new PrismaPg({ ...config, database: name }).connect());
        const dispose = adapter.dispose.bind(adapter);
        adapter.dispose = async () => {
          await dispose();
          await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
          await admin.end();
        };
        return adapter;
      },
    };
  },
});
