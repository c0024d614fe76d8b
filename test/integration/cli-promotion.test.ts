// Promotion from test to production with the real `tributary` binary (the bundle `npm run build` makes), against
// the web process's server with the real REST API: two saved workspaces, flows pulled from one and pushed into
// the other with --workspace (refused, naming what production lacks), a bundle exported, dry-run, imported.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createAlertRule, createAlertRuleInput, createSecretBox, saveConnection } from "@tributary/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebServer } from "../../apps/web/src/server/web-server.ts";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { callerFor, restHandlerFor } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { TEST_ENCRYPTION_KEY } from "../support/worker-process.ts";

const env = useTestEnvironment();
const CLI_PACKAGE = resolve(import.meta.dirname, "../../packages/cli");
const BIN = join(CLI_PACKAGE, "dist/tributary.js");
const scratch = mkdtempSync(join(tmpdir(), "tributary-promotion-"));
let server: Server;
let baseUrl: string;
let test: SeededWorkspace;
let production: SeededWorkspace;
const keys = { test: "", production: "" };

type Result = { code: number; stdout: string; stderr: string };

/** The binary as a user's shell runs it: its own config dir, nothing else from this process. */
function cli(args: string[]): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: scratch,
      env: { PATH: process.env.PATH, HOME: scratch, TRIBUTARY_CONFIG_DIR: join(scratch, "config") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

async function adminKey(seeded: SeededWorkspace) {
  const owner = callerFor({ env, user: seeded.owner });
  return (await owner.apiKeys.create({ workspaceId: seeded.workspace.id, name: "deploy", role: "admin" })).key;
}

beforeAll(async () => {
  execFileSync("npm", ["run", "build", "-w", "@tributary/cli"], {
    cwd: resolve(CLI_PACKAGE, "../.."),
    stdio: "ignore",
  });
  server = createWebServer({
    webhooks: (_request) => Promise.resolve(new Response(null, { status: 404 })),
    rest: restHandlerFor({ env }),
    next: (_req, res) => res.writeHead(404).end(),
    trustProxyHops: 0,
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  test = await seedWorkspace({ db: env.db, name: "Orders test" });
  production = await seedWorkspace({ db: env.db, name: "Orders production" });
  keys.test = await adminKey(test);
  keys.production = await adminKey(production);
  await saveConnection({
    db: env.db,
    secretBox: createSecretBox({ currentKey: TEST_ENCRYPTION_KEY }),
    workspaceId: test.workspace.id,
    actor: test.owner.actor,
    name: "orders-db",
    type: "postgres",
    config: { host: "db.test.internal", port: 5432, database: "orders", user: "app", password: "test-only-password" },
  });
  await createAlertRule({
    db: env.db,
    secretBox: createSecretBox({ currentKey: TEST_ENCRYPTION_KEY }),
    workspaceId: test.workspace.id,
    actor: test.owner.actor,
    ...createAlertRuleInput.parse({
      name: "Failures to Slack",
      event: "run_failed",
      channel: "slack",
      url: "https://hooks.slack.com/services/T0/B0/test-only-token",
    }),
  });
}, 120_000);
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((done) => server?.close(done));
  rmSync(scratch, { recursive: true, force: true });
});

const ORDERS_FLOW = {
  format: "tributary.flow",
  name: "Store orders",
  description: "Inserts each order",
  graph: {
    version: 1,
    steps: [
      { id: "start", type: "trigger.manual", config: {} },
      {
        id: "insert",
        type: "postgres.query",
        name: "Insert order",
        config: { connectionId: "orders-db", sql: "INSERT INTO orders (id) VALUES ($1)", params: ["{{ id }}"] },
      },
    ],
    edges: [{ from: "start", to: "insert", output: "out" }],
  },
};

describe("promoting from test to production with the CLI", () => {
  it("keeps a login per workspace and acts in another one with --workspace", async () => {
    const first = await cli(["login", "--url", baseUrl, "--key", keys.test, "--profile", "test"]);
    expect(first.stderr).toBe("");
    expect(first.stdout).toContain('Saved as profile "test"');
    // Without --profile, the workspace's slug names it.
    const second = await cli(["login", "--url", baseUrl, "--key", keys.production]);
    expect(second.stdout).toContain(`Saved as profile "${production.workspace.slug}"`);
    expect(statSync(join(scratch, "config", "config.json")).mode & 0o777).toBe(0o600);
    expect((await cli(["profiles", "use", "test"])).stdout).toContain('Now using "test"');
    const listed = JSON.parse((await cli(["profiles", "list", "--json"])).stdout) as {
      profile: string;
      current: boolean;
    }[];
    expect(listed.map((row) => [row.profile, row.current])).toEqual([
      ["test", true],
      [production.workspace.slug, false],
    ]);
    const who = JSON.parse((await cli(["whoami", "--json", "--workspace", production.workspace.slug])).stdout);
    expect(who.workspace.slug).toBe(production.workspace.slug);
    const unknown = await cli(["whoami", "--workspace", "staging"]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('No saved login for the workspace "staging"');
  });

  it("pulls flows that name their connection, and refuses to publish them where the connection is missing", async () => {
    const flowsDir = join(scratch, "flows");
    const file = join(scratch, "store-orders.flow.json");
    await import("node:fs/promises").then(({ writeFile }) => writeFile(file, JSON.stringify(ORDERS_FLOW)));
    const pushedToTest = await cli(["flows", "push", file, "--publish"]);
    expect(pushedToTest.stderr).toBe("");
    expect(pushedToTest.stdout).toContain("published v1");

    expect((await cli(["flows", "pull", "--all", "-o", flowsDir])).code).toBe(0);
    const pulled = JSON.parse(readFileSync(join(flowsDir, readdirSync(flowsDir)[0] as string), "utf8"));
    expect(pulled.graph.steps[1].config.connectionId).toBe("orders-db");

    const refused = await cli(["flows", "push", flowsDir, "--publish", "--workspace", production.workspace.slug]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'The step "Insert order" names the connection "orders-db", which this workspace does not have. Create it or rename the reference.',
    );
    const validated = await cli(["flows", "validate", flowsDir, "--workspace", production.workspace.slug]);
    expect(validated.code).toBe(1);
    expect(validated.stdout).toContain('names the connection "orders-db"');
  });

  it("exports the test workspace, dry-runs and imports it into production, after which the flows push unchanged", async () => {
    const bundleFile = join(scratch, "bundle.json");
    const exported = await cli(["workspace", "export", "-o", bundleFile]);
    expect(exported.stdout).toContain("1 alert rule(s)");
    expect(exported.stdout).toContain("It holds no secret values.");
    expect(readFileSync(bundleFile, "utf8")).not.toContain("test-only-password");
    expect(readFileSync(bundleFile, "utf8")).not.toContain("test-only-token");

    const dryRun = await cli([
      "workspace",
      "import",
      bundleFile,
      "--dry-run",
      "--workspace",
      production.workspace.slug,
    ]);
    expect(dryRun.stderr).toBe("");
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toMatch(/would create\s+connection\s+orders-db/);
    // Pushed into production before, so there; its published version would change.
    expect(dryRun.stdout).toMatch(/would change\s+flow\s+Store orders/);
    expect(dryRun.stdout).toContain(
      "connection orders-db: Set its secret fields (password) and test it: a bundle holds no secret values.",
    );
    expect(dryRun.stdout).toMatch(/would create\s+alert rule\s+Failures to Slack/);
    expect(dryRun.stdout).toContain(
      "alert rule Failures to Slack: Disabled until its Slack webhook URL is set (it went to https://hooks.slack.com/…): set it on the Alerts page and enable the rule. A bundle holds no URLs.",
    );
    const plan = JSON.parse(
      (await cli(["workspace", "import", bundleFile, "--dry-run", "--json", "-w", production.workspace.slug])).stdout,
    ) as { items: { action: string }[] };
    expect(plan.items.map((item) => item.action)).toEqual(["create", "change", "create", "leave"]);

    const imported = await cli(["workspace", "import", bundleFile, "--workspace", production.workspace.slug]);
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/created\s+connection\s+orders-db/);

    const again = await cli(["flows", "push", join(scratch, "flows"), "--publish", "-w", production.workspace.slug]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Unchanged Store orders");
    const flows = JSON.parse((await cli(["flows", "list", "--json", "-w", production.workspace.slug])).stdout) as {
      name: string;
      currentVersion: number;
    }[];
    expect(flows).toEqual([expect.objectContaining({ name: "Store orders", currentVersion: 1 })]);
  });
});
