// The SQL connectors against the real PostgreSQL and MariaDB on this machine, run by a real worker: pings that
// name what is wrong, bound parameters (a value never becomes SQL), upserts, and all-or-nothing transactions.
import { validateGraph } from "@tributary/core";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useConnectorHarness } from "../support/connector-harness.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph } from "../support/run-helpers.ts";

const env = useTestEnvironment();
const harness = useConnectorHarness(env);
const mysqlUrl = new URL(process.env.TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306");
const mysqlDatabase = `trb_${Math.random().toString(36).slice(2, 10)}`;

beforeAll(async () => {
  const admin = await mysql.createConnection({
    host: mysqlUrl.hostname,
    port: Number(mysqlUrl.port),
    user: mysqlUrl.username,
    password: mysqlUrl.password,
  });
  await admin.query(`CREATE DATABASE ${mysqlDatabase}`);
  await admin.end();
});
afterAll(async () => {
  const admin = await mysql.createConnection({
    host: mysqlUrl.hostname,
    port: Number(mysqlUrl.port),
    user: mysqlUrl.username,
    password: mysqlUrl.password,
  });
  await admin.query(`DROP DATABASE IF EXISTS ${mysqlDatabase}`);
  await admin.end();
});

const manual: [string, string] = ["start", "trigger.manual"];
const ENGINES = [
  {
    type: "postgres",
    config: () => {
      const url = new URL(env.databaseUrl);
      return {
        host: url.hostname,
        port: Number(url.port),
        database: url.pathname.slice(1),
        user: url.username,
        tls: "disable",
      };
    },
    createTable: "CREATE TABLE orders (id text PRIMARY KEY, qty integer NOT NULL, note text, meta jsonb)",
    select: "SELECT id, qty, note FROM orders WHERE qty >= $1 ORDER BY id",
    missing: /PostgreSQL: relation "no_such_table" does not exist \(SQLSTATE 42P01\)/,
  },
  {
    type: "mysql",
    config: () => ({
      host: mysqlUrl.hostname,
      port: Number(mysqlUrl.port),
      database: mysqlDatabase,
      user: mysqlUrl.username,
      password: mysqlUrl.password,
      tls: "disable",
    }),
    createTable: "CREATE TABLE orders (id varchar(20) PRIMARY KEY, qty int NOT NULL, note text, meta json)",
    select: "SELECT id, qty, note FROM orders WHERE qty >= ? ORDER BY id",
    missing: /MySQL: Table '.*no_such_table' doesn't exist \(ER_NO_SUCH_TABLE\)/,
  },
] as const;

describe.each(ENGINES)("$type", (engine) => {
  let connectionId = "";
  const step = (
    id: string,
    suffix: string,
    config: Record<string, unknown>,
  ): [string, string, Record<string, unknown>] => [id, `${engine.type}.${suffix}`, { connectionId, ...config }];
  const one = (config: [string, string, Record<string, unknown>], body?: unknown) =>
    harness.runFlow(graph([manual, config], [["start", config[0]]]), body);

  it("pings the database, and names what is wrong: a missing database, a closed port, a refused address", async () => {
    connectionId = await harness.connect(engine.type, engine.config());
    expect(await harness.ping(connectionId)).toMatchObject({ ok: true });
    const missing = await harness.connect(engine.type, { ...engine.config(), database: "no_such_db" });
    expect(await harness.ping(missing)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/has no such database/),
    });
    const closed = await harness.connect(engine.type, { ...engine.config(), port: 1 });
    expect(await harness.ping(closed)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/at 127\.0\.0\.1:1 refused the connection/),
    });
    const blocked = await harness.connect(engine.type, { ...engine.config(), host: "127.0.0.2" });
    expect(await harness.ping(blocked)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/loopback address/),
    });
  });

  it("creates a table, upserts rows in one transaction, and queries with bound parameters", async () => {
    expect((await one(step("create", "query", { sql: engine.createTable }))).status).toBe("succeeded");
    const hostile = "x'); DROP TABLE orders; --";
    const inserted = await one(step("put", "insert", { table: "orders" }), [
      { id: "A", qty: 2, note: hostile, meta: { source: "web" } },
      { id: "B", qty: 5 },
    ]);
    expect(inserted.status).toBe("succeeded");
    expect(inserted.output?.body).toEqual({ rowCount: 2 });
    const clash = await one(step("put", "insert", { table: "orders" }), [{ id: "A", qty: 1 }]);
    expect(clash.status).toBe("failed");
    const skipped = await one(step("put", "insert", { table: "orders", onConflict: "skip" }), [
      { id: "A", qty: 1 },
      { id: "C", qty: 1 },
    ]);
    expect(skipped.status).toBe("succeeded");
    const upserted = await one(
      step("put", "insert", { table: "orders", onConflict: "update", conflictColumns: ["id"] }),
      {
        id: "A",
        qty: 7,
      },
    );
    expect(upserted.status).toBe("succeeded");
    // Rows over several statements (batchSize 1) go in all or none: D is undone when B clashes.
    const split = await one(step("put", "insert", { table: "orders", batchSize: 1 }), [
      { id: "D", qty: 9 },
      { id: "B", qty: 1 },
    ]);
    expect(split.status).toBe("failed");

    const found = await one(
      step("find", "query", { sql: engine.select, params: ["{{ min }}"], resultField: "found" }),
      { min: 3 },
    );
    expect(found.status).toBe("succeeded");
    expect(found.output?.body).toEqual({
      min: 3,
      found: {
        rows: [
          { id: "A", qty: 7, note: hostile },
          { id: "B", qty: 5, note: null },
        ],
        rowCount: 2,
      },
    });
  });

  it("runs a transaction all or nothing: a failing statement undoes the ones before it", async () => {
    const failed = await one(
      step("tx", "transaction", {
        statements: [
          { sql: engine.select.replace(/SELECT .* FROM orders WHERE qty >= .*/, "DELETE FROM orders"), params: [] },
          { sql: "SELECT * FROM no_such_table", params: [] },
        ],
      }),
    );
    expect(failed.status).toBe("failed");
    expect(failed.error?.message).toMatch(engine.missing);
    const still = await one(step("count", "query", { sql: "SELECT COUNT(*) AS n FROM orders" }));
    expect(Number((still.output?.body as { rows: { n: unknown }[] } | undefined)?.rows[0]?.n)).toBe(3);
  });
});

describe("SQL steps", () => {
  it("refuses {{ }} in SQL at publish: values go in as parameters", async () => {
    const problems = await validateGraph({
      db: env.db,
      workspaceId: harness.workspaceId,
      graph: graph(
        [
          manual,
          [
            "q",
            "postgres.query",
            { connectionId: "0196f6c2-0000-7000-8000-000000000000", sql: "SELECT * FROM t WHERE id = '{{ id }}'" },
          ],
        ],
        [["start", "q"]],
      ),
    });
    expect(problems.map((problem) => problem.message).join(" ")).toMatch(/Do not put \{\{ \}\} in SQL/);
  });
});
