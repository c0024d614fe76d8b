// The `tributary` binary against the running app: an admin creates API keys on the API keys page, then the real
// CLI logs in, pushes a folder of flow files (flows as code), publishes, runs and follows them, pulls them
// back, sets a secret, and exits with the codes scripts rely on. The REST reference page is checked on the way.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, screenshot } from "../support/browser.ts";

const baseUrl = inject("baseUrl");
// The package's bin, the bundle the e2e setup builds (npm makes it executable on install; here node runs it).
const BIN = resolve(import.meta.dirname, "../../packages/cli/dist/tributary.js");
const run = Date.now().toString(36);
const admin = { email: `cli-${run}@example.com`, password: "granite lantern orchard violet" };
const home = mkdtempSync(join(tmpdir(), "tributary-cli-"));
const flowsDir = mkdtempSync(join(tmpdir(), "tributary-flows-"));

let browser: Browser;
let page: Page;
const keys = { editor: "", viewer: "" };

type Result = { code: number; stdout: string; stderr: string };

/**
 * Runs the real binary, as a user's shell would (its own config dir, nothing else from this process).
 * closedStdout: the reader goes away at once, as `| head` does once it has its lines.
 */
function cli(
  args: string[],
  {
    stdin,
    configDir = home,
    closedStdout = false,
  }: { stdin?: string; configDir?: string; closedStdout?: boolean } = {},
) {
  return new Promise<Result>((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: home, TRIBUTARY_CONFIG_DIR: configDir },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    if (closedStdout) child.stdout.destroy();
    child.on("error", fail);
    child.on("close", (code) => done({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin ?? "");
  });
}

const json = <T>(result: Result): T => JSON.parse(result.stdout) as T;

function flowFile(name: string, steps: unknown[], edges: unknown[]) {
  return { format: "tributary.flow", name, description: `${name}, kept in git`, graph: { version: 1, steps, edges } };
}

const DOUBLER = flowFile(
  `Doubler ${run}`,
  [
    { id: "start", type: "trigger.manual", config: {} },
    { id: "double", type: "data.transform", config: { expression: "{ 'n': n * 2 }" } },
    { id: "note", type: "util.log", config: { message: "doubled" } },
  ],
  [
    { from: "start", to: "double", output: "out" },
    { from: "double", to: "note", output: "out" },
  ],
);
const THROWER = flowFile(
  `Thrower ${run}`,
  [
    { id: "start", type: "trigger.manual", config: {} },
    {
      id: "explode",
      type: "code.typescript",
      config: { source: 'export default () => {\n  throw new Error("the warehouse is closed");\n};\n' },
    },
  ],
  [{ from: "start", to: "explode", output: "out" }],
);

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  writeFileSync(join(flowsDir, "doubler.flow.json"), JSON.stringify(DOUBLER, null, 2));
  writeFileSync(join(flowsDir, "thrower.flow.json"), JSON.stringify(THROWER, null, 2));
});
afterAll(async () => {
  await browser?.close();
});

describe("the tributary CLI", () => {
  it("gets its keys from the API keys page, which links the REST reference", async () => {
    await page.goto("/signup");
    await page.getByLabel("Email", { exact: true }).fill(admin.email);
    await page.getByLabel("Password", { exact: true }).fill(admin.password);
    await page.getByRole("button", { name: "Create account", exact: true }).click();
    await page.waitForURL(/\/w\/[^/]+$/);
    await page.getByRole("link", { name: "API keys", exact: true }).click();
    for (const role of ["editor", "viewer"] as const) {
      await page.getByLabel("Key name", { exact: true }).fill(`cli ${role}`);
      await page.getByLabel("Role", { exact: true }).selectOption(role);
      await page.getByRole("button", { name: "Create key", exact: true }).click();
      keys[role] = (await page.getByTestId("shown-secret").textContent()) ?? "";
      expect(keys[role]).toMatch(/^trb_/);
      if (role === "editor") await screenshot(page, "cli-01-api-key-shown-once");
      await page.getByRole("button", { name: "Done", exact: true }).click();
    }
    await page.getByRole("link", { name: "REST API reference", exact: true }).click();
    await page.waitForURL(/\/docs\/api$/);
    await expect(page.getByRole("heading", { name: "REST API reference", exact: true }).isVisible()).resolves.toBe(
      true,
    );
    await expect(page.locator("#startRun").textContent()).resolves.toContain("/api/v1/runs");
    await screenshot(page, "cli-02-rest-reference", { fullPage: false });
  });

  it("logs in with a key kept in a file only its user can read", async () => {
    const login = await cli(["login", "--url", baseUrl], { stdin: `${keys.editor}\n` });
    expect(login.stderr).toBe("");
    expect(login.code).toBe(0);
    expect(login.stdout).toContain('as key "cli editor", role editor');
    expect(statSync(join(home, "config.json")).mode & 0o777).toBe(0o600);
    expect(json<{ role: string }>(await cli(["whoami", "--json"]))).toMatchObject({ role: "editor" });
  });

  it("validates, pushes and publishes a folder of flow files, and pushing again changes nothing", async () => {
    const valid = await cli(["flows", "validate", flowsDir]);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toContain("doubler.flow.json: valid");

    const pushed = await cli(["flows", "push", flowsDir, "--publish"]);
    expect(pushed.code).toBe(0);
    expect(pushed.stdout).toContain(`Created Doubler ${run}`);
    expect(pushed.stdout).toContain("published v1");

    const again = await cli(["flows", "push", flowsDir, "--publish", "--json"]);
    expect(again.code).toBe(0);
    expect(json<{ outcome: string; version?: number }[]>(again).map((r) => [r.outcome, r.version])).toEqual([
      ["unchanged", undefined],
      ["unchanged", undefined],
    ]);

    const changed = { ...DOUBLER, description: "Doubles n, now documented" };
    writeFileSync(join(flowsDir, "doubler.flow.json"), JSON.stringify(changed, null, 2));
    const updated = await cli(["flows", "push", join(flowsDir, "doubler.flow.json"), "--publish"]);
    expect(updated.stdout).toContain(`Updated Doubler ${run}`);
    expect(updated.stdout).toContain("published v2");

    const listed = json<{ name: string; currentVersion: number }[]>(await cli(["flows", "list", "--json"]));
    expect(listed.map((flow) => [flow.name, flow.currentVersion]).sort()).toEqual([
      [`Doubler ${run}`, 2],
      [`Thrower ${run}`, 1],
    ]);
    expect((await cli(["flows", "list"])).stdout).toMatch(/^ID\s+NAME\s+STATUS\s+VERSION/);
  });

  it("pulls flows into files with their ids, which push back unchanged", async () => {
    const out = mkdtempSync(join(tmpdir(), "tributary-pulled-"));
    const pulled = await cli(["flows", "pull", "--all", "--out", out]);
    expect(pulled.code).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toEqual([`doubler-${run}.flow.json`, `thrower-${run}.flow.json`]);
    const file = JSON.parse(readFileSync(join(out, files[0] as string), "utf8"));
    expect(file).toMatchObject({ format: "tributary.flow", name: `Doubler ${run}`, graph: DOUBLER.graph });
    expect(file.id).toMatch(/^[0-9a-f-]{36}$/);
    const pushed = await cli(["flows", "push", out]);
    expect(pushed.stdout.match(/Unchanged/g)).toHaveLength(2);
  });

  it("starts runs and follows them live, exiting 1 when a run fails", async () => {
    const flows = json<{ id: string; name: string }[]>(await cli(["flows", "list", "--json"]));
    const doubler = flows.find((flow) => flow.name.startsWith("Doubler"))?.id ?? "";
    const thrower = flows.find((flow) => flow.name.startsWith("Thrower"))?.id ?? "";

    const ok = await cli(["runs", "start", doubler, "--body", '{"n": 21}', "--header", "x-order=A-1", "--tail"]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/✓ double \[data\.transform\]/);
    expect(ok.stdout).toContain("info: doubled");
    expect(ok.stdout).toContain("Run succeeded");
    const runId = /Started run ([0-9a-f-]{36})/.exec(ok.stdout)?.[1] ?? "";

    const detail = json<{ output: { body: unknown } }>(await cli(["runs", "get", runId, "--json"]));
    expect(detail.output.body).toEqual({ n: 42 });
    const byHeader = json<{ runs: { id: string }[] }>(
      await cli(["runs", "list", "--flow", doubler, "--header", "x-order=A-1", "--json"]),
    );
    expect(byHeader.runs.map((r) => r.id)).toEqual([runId]);

    const failed = await cli(["runs", "start", thrower, "--tail", "--json"]);
    expect(failed.code).toBe(1);
    const events = failed.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events.at(-1)).toMatchObject({ type: "run", status: "failed" });
    expect(JSON.stringify(events)).toContain("the warehouse is closed");
    expect((await cli(["runs", "tail", runId])).code).toBe(0);

    const piped = await cli(["runs", "tail", runId, "--json"], { closedStdout: true });
    expect([piped.code, piped.stderr]).toEqual([0, ""]);
  });

  it("sets secrets from stdin and never shows their values", async () => {
    const set = await cli(["secrets", "set", "WAREHOUSE_TOKEN"], { stdin: "tok-7f3a9c\n" });
    expect(set.code).toBe(0);
    const listed = await cli(["secrets", "list"]);
    expect(listed.stdout).toContain("WAREHOUSE_TOKEN");
    expect(listed.stdout).not.toContain("tok-7f3a9c");
  });

  it("exits with codes scripts can rely on, and has --help everywhere", async () => {
    const viewerDir = mkdtempSync(join(tmpdir(), "tributary-viewer-"));
    expect((await cli(["login", "--url", baseUrl, "--key", keys.viewer], { configDir: viewerDir })).code).toBe(0);
    const [flow] = json<{ id: string }[]>(await cli(["flows", "list", "--json"], { configDir: viewerDir }));
    const forbidden = await cli(["flows", "publish", flow?.id ?? ""], { configDir: viewerDir });
    expect([forbidden.code, forbidden.stderr]).toEqual([
      4,
      "error: This key's role (viewer) lacks the permission flows.publish: Publish a flow's draft as a new version, restore an old version.\n",
    ]);
    const wrongKey = await cli(["login", "--url", baseUrl, "--key", `${keys.viewer.slice(0, -3)}abc`], {
      configDir: mkdtempSync(join(tmpdir(), "tributary-wrong-")),
    });
    expect(wrongKey.code).toBe(3);
    expect((await cli(["flows", "list"], { configDir: mkdtempSync(join(tmpdir(), "tributary-none-")) })).code).toBe(3);
    expect((await cli(["runs", "get", "00000000-0000-7000-8000-000000000000"])).code).toBe(5);
    expect((await cli(["runs", "start", "not-a-uuid"])).code).toBe(6);
    expect((await cli(["flows", "nonsense"])).code).toBe(2);
    expect((await cli(["flows", "validate", join(flowsDir, "missing.flow.json")])).code).toBe(2);
    const broken = join(flowsDir, "broken.flow.json");
    writeFileSync(broken, JSON.stringify(flowFile("Broken", [{ id: "start", type: "trigger.nope" }], [])));
    const invalid = await cli(["flows", "validate", broken]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain("step start:");
    expect((await cli(["login", "--url", "http://127.0.0.1:9", "--key", keys.viewer])).code).toBe(7);

    for (const command of [[], ["flows"], ["flows", "push"], ["runs", "tail"], ["secrets", "set"], ["login"]]) {
      const help = await cli([...command, "--help"]);
      expect(help.code, command.join(" ")).toBe(0);
      expect(help.stdout).toContain("Usage: tributary");
    }
  });
});
