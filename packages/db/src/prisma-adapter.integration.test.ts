// The ORM's transactions send one query at a time, and give their connection back even when the server closed
// it before their ROLLBACK.
import pg from "pg";
import { expect, it } from "vitest";
import { useTestEnvironment } from "../../../test/support/environment.ts";
import { createDb } from "./client.ts";
import { scoped } from "./scope.ts";

const env = useTestEnvironment();

it("gives a transaction's connection back when the server closed it mid-transaction", async () => {
  const db = createDb({ url: env.databaseUrl, maxConnections: 1 });
  const admin = new pg.Client({ connectionString: env.databaseUrl });
  await admin.connect();
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      const failed = scoped(db, {}, async (tx) => {
        const [{ pid }] = await tx.$queryRaw<[{ pid: number }]>`SELECT pg_backend_pid() AS pid`;
        await admin.query("SELECT pg_terminate_backend($1)", [pid]);
        await tx.$queryRaw`SELECT 1`;
      });
      await expect(failed).rejects.toThrow();
    }
    // The pool's one connection is free again: a broken one was thrown away, a new one opened.
    expect(db.ormPool.totalCount).toBe(0);
    await expect(db.$queryRaw<[{ one: number }]>`SELECT 1 AS one`).resolves.toEqual([{ one: 1 }]);
  } finally {
    await admin.end();
    await db.$disconnect();
  }
}, 60_000);

it("sends a transaction's queries one at a time, the ORM's queries for related records too", async () => {
  const db = createDb({ url: env.databaseUrl, maxConnections: 1 });
  // Counts, per connection, the queries sent and not yet answered.
  const query = pg.Client.prototype.query;
  const unanswered = new Map<pg.Client, number>();
  let most = 0;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    unanswered.set(this, (unanswered.get(this) ?? 0) + 1);
    most = Math.max(most, unanswered.get(this) ?? 0);
    const answer = (query as (...a: unknown[]) => unknown).apply(this, args);
    if (answer instanceof Promise) void answer.finally(() => unanswered.set(this, (unanswered.get(this) ?? 1) - 1));
    return answer;
  } as typeof query;
  try {
    // The ORM loads a workspace's flows and members with queries of their own, sent together.
    await scoped(db, {}, (tx) =>
      Promise.all([
        tx.workspace.findMany({ include: { flows: true, memberships: true, secrets: true } }),
        tx.user.findMany(),
      ]),
    );
    expect(most).toBe(1);
  } finally {
    pg.Client.prototype.query = query;
    await db.$disconnect();
  }
}, 60_000);
