// SFTP and FTP against real servers the test starts on loopback (OpenSSH's sshd and vsftpd): every file step
// round-trips real bytes, the pings name bad credentials, and the new-file trigger runs each file once and moves it.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getRun, listRuns } from "@tributary/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useConnectorHarness } from "../support/connector-harness.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { type FileServer, startFtpServer, startSftpServer } from "../support/file-servers.ts";
import { graph } from "../support/run-helpers.ts";

const env = useTestEnvironment();
const harness = useConnectorHarness(env, { workerEnv: { SUBSCRIPTION_SYNC_MS: "300" } });
const manual: [string, string] = ["start", "trigger.manual"];
let sftp: Awaited<ReturnType<typeof startSftpServer>>;
let ftp: FileServer;

beforeAll(async () => {
  [sftp, ftp] = await Promise.all([startSftpServer(), startFtpServer()]);
});
afterAll(async () => {
  await Promise.all([sftp?.stop(), ftp?.stop()]);
});

const SERVERS = [
  {
    type: "sftp",
    server: () => sftp,
    /** The server's path of a local file in its root. */
    path: (name: string) => join(sftp.root, name),
    config: () => ({
      host: "127.0.0.1",
      port: sftp.port,
      username: sftp.username,
      privateKey: sftp.privateKey,
      hostKeySha256: sftp.hostKeySha256,
    }),
    wrong: () => ({ host: "127.0.0.1", port: sftp.port, username: sftp.username, password: "not-the-key" }),
    refused: /refused the user name, password or key/,
  },
  {
    type: "ftp",
    server: () => ftp,
    path: (name: string) => `/upload/${name}`,
    config: () => ({ host: "127.0.0.1", port: ftp.port, tls: "none" }),
    wrong: () => ({ host: "127.0.0.1", port: ftp.port, tls: "none", username: "mallory", password: "guess" }),
    refused: /refused the user name or password/,
  },
] as const;

describe.each(SERVERS)("$type", (server) => {
  let connectionId = "";
  const one = (id: string, step: string, config: Record<string, unknown>, body?: unknown) =>
    harness.runFlow(
      graph([manual, [id, `${server.type}.${step}`, { connectionId, ...config }]], [["start", id]]),
      body,
    );

  it("pings the server, and names wrong credentials", async () => {
    connectionId = await harness.connect(server.type, server.config());
    expect(await harness.ping(connectionId)).toMatchObject({ ok: true });
    const wrong = await harness.connect(server.type, server.wrong());
    expect(await harness.ping(wrong)).toMatchObject({ ok: false, message: expect.stringMatching(server.refused) });
  });

  it("uploads, lists, downloads, moves and deletes files, binary bytes intact", async () => {
    const bytes = Buffer.from([0, 255, 1, 254, 10, 13]);
    const uploaded = await one(
      "put",
      "upload",
      { path: server.path("out/order-{{ id }}.json"), createDirectories: true },
      { id: "A-1", total: 42 },
    );
    expect(uploaded.status, JSON.stringify(uploaded.error)).toBe("succeeded");
    expect(JSON.parse(readFileSync(join(server.server().root, "out/order-A-1.json"), "utf8"))).toEqual({
      id: "A-1",
      total: 42,
    });
    await one(
      "put",
      "upload",
      { path: server.path("out/blob.bin"), content: "{{ file }}" },
      { file: { contentType: "application/octet-stream", size: 6, base64: bytes.toString("base64") } },
    );
    expect(readFileSync(join(server.server().root, "out/blob.bin"))).toEqual(bytes);

    const listed = await one("ls", "list", { directory: server.path("out"), pattern: "order-*" });
    expect(listed.output?.body).toMatchObject([
      { name: "order-A-1.json", path: server.path("out/order-A-1.json"), isDirectory: false },
    ]);
    const text = await one("get", "download", { path: server.path("out/order-A-1.json") });
    expect(text.output?.body).toBe('{"id":"A-1","total":42}');
    const blob = await one("get", "download", { path: server.path("out/blob.bin") });
    expect(blob.output?.body).toMatchObject({ size: 6, base64: bytes.toString("base64") });
    const missing = await one("get", "download", { path: server.path("out/nope.txt") });
    expect(missing.error?.message).toBe(`There is no file ${server.path("out/nope.txt")}.`);

    await one("mv", "move", { from: server.path("out/blob.bin"), to: server.path("out/renamed.bin") });
    expect(existsSync(join(server.server().root, "out/renamed.bin"))).toBe(true);
    await one("rm", "delete", { path: server.path("out/renamed.bin") });
    expect(existsSync(join(server.server().root, "out/renamed.bin"))).toBe(false);
    expect((await one("rm", "delete", { path: server.path("out/renamed.bin"), missingOk: true })).status).toBe(
      "succeeded",
    );
  });

  it("runs each new file once and then moves it to the processed folder", async () => {
    const inbox = join(server.server().root, "inbox");
    mkdirSync(inbox, { recursive: true });
    chmodSync(inbox, 0o777); // the FTP server's anonymous user moves files out of it
    const flowId = await harness.publish(
      graph(
        [
          [
            "files",
            `${server.type}.new-file`,
            { connectionId, directory: server.path("inbox"), pattern: "*.csv", intervalSeconds: 1 },
          ],
          ["log", "util.log", { message: "{{ name }}" }],
        ],
        [["files", "log"]],
      ),
    );
    for (const n of [1, 2, 3]) writeFileSync(join(inbox, `batch-${n}.csv`), `sku,qty\nX,${n}\n`);
    writeFileSync(join(inbox, "notes.txt"), "not a csv");
    const deadline = Date.now() + 20_000;
    let runs: Awaited<ReturnType<typeof listRuns>>["runs"] = [];
    while (Date.now() < deadline) {
      runs = (await listRuns({ db: env.db, workspaceId: harness.workspaceId, flowId, limit: 50 })).runs;
      if (runs.length >= 3 && readdirSync(inbox).filter((name) => name.endsWith(".csv")).length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const bodies = await Promise.all(
      runs.map(
        async (run) =>
          (await getRun({ db: env.db, workspaceId: harness.workspaceId, runId: run.id })).input.body as {
            name: string;
            content: string;
          },
      ),
    );
    expect(bodies.map((body) => body.name).sort()).toEqual(["batch-1.csv", "batch-2.csv", "batch-3.csv"]);
    expect(bodies.find((body) => body.name === "batch-2.csv")?.content).toBe("sku,qty\nX,2\n");
    expect(readdirSync(inbox).sort()).toEqual(["notes.txt", "processed"]);
    expect(readdirSync(join(inbox, "processed")).sort()).toEqual(["batch-1.csv", "batch-2.csv", "batch-3.csv"]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await listRuns({ db: env.db, workspaceId: harness.workspaceId, flowId, limit: 50 })).runs).toHaveLength(3);
  });
  it("splits a large CSV file into runs of rows, read as they arrive", async () => {
    const folder = join(server.server().root, "bulk");
    mkdirSync(folder, { recursive: true });
    chmodSync(folder, 0o777);
    const flowId = await harness.publish(
      graph(
        [
          [
            "files",
            `${server.type}.new-file`,
            {
              connectionId,
              directory: server.path("bulk"),
              pattern: "*.csv",
              split: "csv-rows",
              batchSize: 1000,
              intervalSeconds: 1,
            },
          ],
          ["log", "util.log", { message: "batch {{ batch }}" }],
        ],
        [["files", "log"]],
      ),
    );
    const lines = Array.from({ length: 2500 }, (_, i) => `SKU-${i},${i % 9}`);
    writeFileSync(join(folder, "stock.csv"), `sku,qty\n${lines.join("\n")}\n`);
    const deadline = Date.now() + 20_000;
    let runs: Awaited<ReturnType<typeof listRuns>>["runs"] = [];
    while (runs.length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      runs = (await listRuns({ db: env.db, workspaceId: harness.workspaceId, flowId, limit: 10 })).runs;
    }
    const bodies = (
      await Promise.all(
        runs.map(
          async (run) =>
            (
              await getRun({ db: env.db, workspaceId: harness.workspaceId, runId: run.id })
            ).input.body as { batch: number; rows: { sku: string; qty: string }[] },
        ),
      )
    ).sort((a, b) => a.batch - b.batch);
    expect(bodies.map((body) => [body.batch, body.rows.length])).toEqual([
      [0, 1000],
      [1, 1000],
      [2, 500],
    ]);
    expect(bodies[2]?.rows.at(-1)).toEqual({ sku: "SKU-2499", qty: String(2499 % 9) });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(readdirSync(join(folder, "processed"))).toEqual(["stock.csv"]);
  });
});
