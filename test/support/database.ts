// Each test file gets its own database, cloned in ~100 ms from a template that was migrated once per set of
// migrations (the template's name carries a hash of prisma/migrations, so a changed migration makes a new one).
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import pg from "pg";
import { databaseUrl, TEST_POSTGRES_URL } from "./services.ts";

const ROOT = resolve(import.meta.dirname, "../..");

function migrationsHash(): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(entry).update(readFileSync(path));
    }
  };
  walk(join(ROOT, "prisma/migrations"));
  return hash.digest("hex").slice(0, 12);
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Migrates the template database if this set of migrations has none yet. Safe to call from parallel runs. */
export async function ensureTemplateDatabase(): Promise<string> {
  const name = `tributary_tmpl_${migrationsHash()}`;
  await admin(async (client) => {
    await client.query("SELECT pg_advisory_lock(hashtext('tributary-test-template'))");
    try {
      const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (exists.rowCount) return;
      const building = `${name}_building`;
      await client.query(`DROP DATABASE IF EXISTS "${building}"`);
      await client.query(`CREATE DATABASE "${building}"`);
      execFileSync("npx", ["prisma", "migrate", "deploy"], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: databaseUrl(building), CHECKPOINT_DISABLE: "1" },
        stdio: "pipe",
      });
      await client.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('tributary-test-template'))");
    }
  });
  return name;
}

export type TestDatabase = { name: string; url: string; drop(): Promise<void> };

export async function createTestDatabase({ template }: { template: string }): Promise<TestDatabase> {
  const name = `tributary_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return {
    name,
    url: databaseUrl(name),
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** Removes databases left by runs that were killed before they could clean up (older than an hour). */
export async function dropStaleTestDatabases(): Promise<void> {
  await admin(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'tributary_test_%'
         AND (pg_stat_file('base/' || oid || '/PG_VERSION')).modification < now() - interval '1 hour'`,
    );
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}
