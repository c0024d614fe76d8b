// sqlStatementInWorkspace: one statement in one round trip, scoped like a transaction of sqlInWorkspace.
import { describe, expect, it } from "vitest";
import { seedWorkspace } from "../../../test/factories/seed.ts";
import { useTestEnvironment } from "../../../test/support/environment.ts";
import { sqlInWorkspace, sqlStatementInWorkspace } from "./sql.ts";

const env = useTestEnvironment();

describe("sqlStatementInWorkspace", () => {
  it("passes values through as Postgres types them from a parameter, whatever characters they hold", async () => {
    const { workspace } = await seedWorkspace({ db: env.db });
    const awkward = `it's a "quote", a back\\slash, a $1 and -- no comment`;
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

  it("refuses a statement that names a value it was not given", async () => {
    const { workspace } = await seedWorkspace({ db: env.db });
    await expect(sqlStatementInWorkspace(env.db.sql, workspace.id, "SELECT $2::int", [1])).rejects.toThrow(
      /uses \$2, which has no value/,
    );
  });
});
