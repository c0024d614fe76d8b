// `npm start`, `npm test` and `npm run db:migrate` refuse a DATABASE_URL whose role cannot bypass row-level
// security (its cross-workspace functions would silently see nothing), and say how to grant it.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensurePostgres } from "../../scripts/lib/services.ts";
import { TEST_POSTGRES_URL } from "../support/services.ts";

const role = `zz_role_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });

/** The server's maintenance database, which exists, as `name` (the machine's Postgres trusts loopback). */
function urlAs(name: string): string {
  const url = new URL(TEST_POSTGRES_URL);
  url.username = name;
  url.pathname = "/postgres";
  return url.toString();
}

beforeAll(async () => {
  await admin.connect();
  await admin.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOBYPASSRLS`);
});

afterAll(async () => {
  try {
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
  } finally {
    await admin.end();
  }
});

describe("the database role", () => {
  it("is refused when it neither is a superuser nor bypasses row security, naming the fix", async () => {
    const refused = ensurePostgres(urlAs(role));

    await expect(refused).rejects.toThrow(`The PostgreSQL role ${role} (DATABASE_URL`);
    await expect(refused).rejects.toThrow(`ALTER ROLE "${role}" BYPASSRLS;`);
  });

  it("is accepted once granted BYPASSRLS, and as a superuser", async () => {
    await admin.query(`ALTER ROLE ${role} BYPASSRLS`);

    await expect(ensurePostgres(urlAs(role))).resolves.toBeUndefined();
    await expect(ensurePostgres(TEST_POSTGRES_URL)).resolves.toBeUndefined();
  });
});
