// sqlStatementInWorkspace: one statement in one round trip, scoped like a transaction of sqlInWorkspace;
// sqlStatementsInWorkspace with prepared statements.
import pg from "pg";
import { describe, expect, it } from "vitest";
import { seedWorkspace } from "../../../test/factories/seed.ts";
import { useTestEnvironment } from "../../../test/support/environment.ts";
import {
  createSqlPool,
  type PreparedStatement,
  sqlInWorkspace,
  sqlStatementInWorkspace,
  sqlStatementsInWorkspace,
} from "./sql.ts";

const env = useTestEnvironment();

describe("sqlStatementInWorkspace", () => {
  it("passes values through as Postgres types them from a parameter, whatever characters they hold", async () => {
    const { workspace } = await seedWorkspace({ db: env.db });
    const awkward = `it's a "quote", a back\\slash, a $1 and -- no comment, a $v$ tag, $v0$, and a last $`;
    const [row] = await sqlStatementInWorkspace<{
      text: string;
      items: string[];
      json: { note: string };
      nothing: string | null;
      number: number;
      bytes: Buffer;
      literal: string;
    }>(
      env.db.sql,
      workspace.id,
      `SELECT $1::text AS text, $2::text[] AS items, $3::jsonb AS json, $4::text AS nothing, $5::int AS number,
              $6::bytea AS bytes, '$1 stays' AS literal -- and so does $2 here`,
      [awkward, [awkward, "b,c", "{d}"], JSON.stringify({ note: awkward }), null, 42, Buffer.from([0, 92, 39, 255])],
    );
    expect(row).toEqual({
      text: awkward,
      items: [awkward, "b,c", "{d}"],
      json: { note: awkward },
      nothing: null,
      number: 42,
      bytes: Buffer.from([0, 92, 39, 255]),
      literal: "$1 stays",
    });
  });

  it("sees only the workspace's rows, and its scope ends with the statement", async () => {
    const a = await seedWorkspace({ db: env.db });
    const b = await seedWorkspace({ db: env.db });
    const seen = await sqlStatementInWorkspace<{ id: string }>(
      env.db.sql,
      a.workspace.id,
      "SELECT id::text FROM workspaces WHERE id = ANY($1::uuid[])",
      [[a.workspace.id, b.workspace.id]],
    );
    expect(seen).toEqual([{ id: a.workspace.id }]);
    const client = await env.db.sql.connect();
    try {
      const { rows } = await client.query("SELECT current_setting('app.workspace_id', true) AS scope");
      expect(rows[0]?.scope ?? "").toBe("");
    } finally {
      client.release();
    }
  });

  it("rolls the whole statement back when it fails, and the connection serves the next one", async () => {
    const { workspace } = await seedWorkspace({ db: env.db });
    const before = await sqlStatementInWorkspace<{ name: string }>(
      env.db.sql,
      workspace.id,
      "SELECT name FROM workspaces WHERE id = $1",
      [workspace.id],
    );
    await expect(
      sqlStatementInWorkspace(
        env.db.sql,
        workspace.id,
        "WITH renamed AS (UPDATE workspaces SET name = 'changed' WHERE id = $1 RETURNING id) SELECT 1 / 0 FROM renamed",
        [workspace.id],
      ),
    ).rejects.toThrow(/division by zero/);
    const after = await sqlInWorkspace(env.db.sql, workspace.id, async (client) => {
      const { rows } = await client.query<{ name: string }>("SELECT name FROM workspaces WHERE id = $1", [
        workspace.id,
      ]);
      return rows;
    });
    expect(after).toEqual(before);
  });

  it("lets go of the statements' text once sent, not at the answer (a long batch would outlive a young collection)", async () => {
    const { workspace } = await seedWorkspace({ db: env.db });
    const pool = createSqlPool({ url: env.databaseUrl, maxConnections: 1 });
    const textWhileAnswering: unknown[] = [];
    const watched = {
      connect: async () =>
        new Proxy(await pool.connect(), {
          get(target, property, receiver) {
            if (property !== "query") return Reflect.get(target, property, receiver);
            return (query: unknown) => {
              const sent = target.query(query as string);
              if (query instanceof pg.Query) textWhileAnswering.push((query as { text?: unknown }).text);
              return sent;
            };
          },
        }),
    } as unknown as typeof pool;
    try {
      const rows = await sqlStatementInWorkspace(watched, workspace.id, "SELECT $1::text AS note, pg_sleep(0.05)", [
        "x".repeat(100_000),
      ]);
      expect(rows[0]?.note).toHaveLength(100_000);
      expect(textWhileAnswering).toEqual([undefined]);
    } finally {
      await pool.end();
    }
  });

  it("refuses a statement that names a value it was not given", async () => {
    const { workspace } = await seedWorkspace({ db: env.db });
    await expect(sqlStatementInWorkspace(env.db.sql, workspace.id, "SELECT $2::int", [1])).rejects.toThrow(
      /uses \$2, which has no value/,
    );
  });
});

describe("the pool", () => {
  it("never has a statement compiled by JIT, however costly its plan looks", async () => {
    const { workspace } = await seedWorkspace({ db: env.db });
    const plan = await sqlStatementInWorkspace<{ "QUERY PLAN": string }>(
      env.db.sql,
      workspace.id,
      "EXPLAIN SELECT count(*) FROM pg_class a, pg_class b, pg_class c",
      [],
    );
    expect(plan.length).toBeGreaterThan(0);
    expect(plan.map((row) => row["QUERY PLAN"]).join("\n")).not.toMatch(/JIT/);
  });
});

describe("prepared statements", () => {
  const named: PreparedStatement = {
    name: "test_workspace_named",
    parameterTypes: ["uuid", "text"],
    text: "SELECT id::text, $2 AS note FROM workspaces WHERE id = $1",
  };
  const preparedHere = {
    text: "SELECT count(*)::int AS n, pg_backend_pid() AS pid FROM pg_prepared_statements WHERE name = $1",
    values: [named.name],
  };

  it("are prepared once per connection, run in the workspace's scope, and again on a new connection", async () => {
    const a = await seedWorkspace({ db: env.db });
    const b = await seedWorkspace({ db: env.db });
    const pool = createSqlPool({ url: env.databaseUrl, maxConnections: 1 });
    const admin = new pg.Client({ connectionString: env.databaseUrl });
    await admin.connect();
    try {
      const awkward = `it's a "quote" and a back\\slash`;
      const run = () =>
        sqlStatementsInWorkspace(pool, a.workspace.id, [
          { prepared: named, values: [a.workspace.id, awkward] },
          { prepared: named, values: [b.workspace.id, awkward] },
          preparedHere,
        ]);
      const [first, hidden, [held] = []] = await run();
      expect(first).toEqual([{ id: a.workspace.id, note: awkward }]);
      // Another workspace's row, named by its key, stays out of sight.
      expect(hidden).toEqual([]);
      const [again, , [stillHeld] = []] = await run();
      expect(again).toEqual(first);
      expect(held?.n).toBe(1);
      expect(stillHeld).toEqual(held);

      // The connection ends (a restart, an idle timeout): its successor prepares the statement for itself.
      await admin.query("SELECT pg_terminate_backend($1)", [held?.pid]);
      await expect.poll(() => pool.totalCount, { timeout: 10_000 }).toBe(0);
      const [afterwards, , [newlyHeld] = []] = await run();
      expect(afterwards).toEqual(first);
      expect(newlyHeld?.n).toBe(1);
      expect(newlyHeld?.pid).not.toBe(held?.pid);
    } finally {
      await admin.end();
      await pool.end();
    }
  });

  it("are known to a connection however its client is wrapped (a proxy that watches its queries)", async () => {
    const { workspace } = await seedWorkspace({ db: env.db });
    const pool = createSqlPool({ url: env.databaseUrl, maxConnections: 1 });
    const watched = {
      connect: async () => new Proxy(await pool.connect(), {}),
    } as unknown as typeof pool;
    try {
      for (let round = 0; round < 2; round++) {
        const [rows] = await sqlStatementsInWorkspace(watched, workspace.id, [
          { prepared: named, values: [workspace.id, "seen"] },
        ]);
        expect(rows).toEqual([{ id: workspace.id, note: "seen" }]);
      }
    } finally {
      await pool.end();
    }
  });

  it("a batch of them that fails part way leaves no connection holding statements it does not know of", async () => {
    const { workspace } = await seedWorkspace({ db: env.db });
    const broken: PreparedStatement = { name: "test_broken", parameterTypes: ["uuid"], text: "SELECT * FROM nowhere" };
    const pool = createSqlPool({ url: env.databaseUrl, maxConnections: 1 });
    try {
      await expect(
        sqlStatementsInWorkspace(pool, workspace.id, [
          { prepared: named, values: [workspace.id, "first"] },
          { prepared: broken, values: [workspace.id] },
        ]),
      ).rejects.toThrow(/nowhere/);
      const [rows] = await sqlStatementsInWorkspace(pool, workspace.id, [
        { prepared: named, values: [workspace.id, "then"] },
      ]);
      expect(rows).toEqual([{ id: workspace.id, note: "then" }]);
    } finally {
      await pool.end();
    }
  });
});
