// A PostgreSQL cluster of a test's own (initdb in a temporary folder, a free port), for tests that restart
// the database under load without touching the shared one. Migrated like the real thing. The server runs as
// the `postgres` user when the tests run as root (Postgres refuses to run as root).
import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { freePort } from "./free-port.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = process.env.POSTGRES_BIN ?? "/usr/lib/postgresql/15/bin";

export type PrivatePostgres = {
  /** The migrated database, as the app's URL. */
  url: string;
  /** Stops the server (fast shutdown: sessions are ended, as an operator's restart does) and starts it again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
};

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), "tributary-pg-"));
  const data = join(dir, "data");
  const port = await freePort();
  const asPostgres = userInfo().uid === 0 ? ids("postgres") : null;
  if (asPostgres) chownSync(dir, asPostgres.uid, asPostgres.gid);
  const run = (binary: string, args: string[]) =>
    execFileSync(join(BIN, binary), args, {
      cwd: dir,
      stdio: "pipe",
      ...(asPostgres ? { uid: asPostgres.uid, gid: asPostgres.gid } : {}),
    });
  const ctl = (...args: string[]) =>
    run("pg_ctl", ["-D", data, "-w", "-t", "120", "-l", join(dir, "server.log"), ...args]);
  try {
    run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync"]);
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
    ctl("-o", options, "start");
    const admin = `postgresql://postgres@127.0.0.1:${port}/postgres`;
    await waitFor(admin);
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query("CREATE DATABASE tributary");
    await client.end();
    const url = `postgresql://postgres@127.0.0.1:${port}/tributary`;
    execFileSync("npx", ["prisma", "migrate", "deploy"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: "1" },
      stdio: "pipe",
    });
    return {
      url,
      async restart() {
        ctl("-m", "fast", "stop");
        ctl("-o", options, "start");
        await waitFor(admin);
      },
      async stop() {
        try {
          ctl("-m", "immediate", "stop");
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    try {
      ctl("-m", "immediate", "stop");
    } catch {
      // It did not start.
    }
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

function ids(user: string): { uid: number; gid: number } {
  return { uid: Number(execFileSync("id", ["-u", user])), gid: Number(execFileSync("id", ["-g", user])) };
}

async function waitFor(url: string): Promise<void> {
  for (let attempt = 0; attempt < 240; attempt++) {
    const client = new pg.Client({ connectionString: url });
    client.on("error", () => {});
    const up = await client.connect().then(
      () => true,
      () => false,
    );
    await client.end().catch(() => undefined);
    if (up) return;
    await sleep(250);
  }
  throw new Error(`The test's own PostgreSQL did not accept connections: ${url}`);
}
