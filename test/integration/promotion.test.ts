// Promotion between workspaces: flow files name connections, security rules, called flows and secrets; another
// workspace resolves the names or refuses, naming what is missing; a workspace bundle exported from one
// workspace and imported into an empty one runs the same, through the REST API and real workers; its alert
// rules arrive the same, but for their Slack and webhook URLs, which never travel.
import { createSecretBox, saveConnection, setSecret, startRun, updateWorkspaceSettings } from "@tributary/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { callerFor, restHandlerFor } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { type HttpTarget, startHttpTarget } from "../support/http-target.ts";
import { waitForRun } from "../support/run-helpers.ts";
import { startWorker, TEST_ENCRYPTION_KEY, type WorkerProcess } from "../support/worker-process.ts";

const env = useTestEnvironment();
const secretBox = createSecretBox({ currentKey: TEST_ENCRYPTION_KEY });
let worker: WorkerProcess;
let target: HttpTarget;
let handle: ReturnType<typeof restHandlerFor>;

beforeAll(async () => {
  target = await startHttpTarget();
  target.route("/v1/prices", (request, response) => {
    const order = JSON.parse(request.body || "{}") as { items?: number[] };
    response
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ total: (order.items ?? []).reduce((sum, price) => sum + price, 0) }));
  });
  handle = restHandlerFor({ env });
  worker = await startWorker({ databaseUrl: env.databaseUrl, redisPrefix: env.redisPrefix });
});
afterAll(async () => {
  await worker?.stop();
  await target?.close();
});

type Answer = { status: number; json: Record<string, unknown> };

async function keyFor(seeded: SeededWorkspace): Promise<string> {
  const owner = callerFor({ env, user: seeded.owner });
  return (await owner.apiKeys.create({ workspaceId: seeded.workspace.id, name: "promotion", role: "admin" })).key;
}

function api(key: string) {
  return async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const response = await handle(
      new Request(`http://localhost/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
}

/** A workspace with what the flows need: the connection, the secret, the security rule, the allowed host. */
async function provision(seeded: SeededWorkspace) {
  const workspaceId = seeded.workspace.id;
  const actor = seeded.owner.actor;
  await updateWorkspaceSettings({ db: env.db, workspaceId, actor, allowedHosts: ["127.0.0.1"] });
  await saveConnection({
    db: env.db,
    secretBox,
    workspaceId,
    actor,
    name: "prices-api",
    type: "http",
    config: { baseUrl: `${target.url}/v1`, auth: "none" },
  });
  await setSecret({ db: env.db, secretBox, workspaceId, actor, name: "REGION", value: "eu-west" });
  const owner = callerFor({ env, user: seeded.owner });
  await owner.security.create({
    workspaceId,
    name: "partners",
    type: "ip_allow",
    config: { cidrs: ["192.0.2.0/24"] },
  });
}

const SUB_FLOW = {
  format: "tributary.flow",
  name: "Label order",
  description: "Adds the region",
  graph: {
    version: 1,
    steps: [
      { id: "called", type: "trigger.subflow" },
      { id: "label", type: "data.transform", config: { expression: "$merge([$, { 'region': $secrets.REGION }])" } },
    ],
    edges: [{ from: "called", to: "label" }],
  },
};

const MAIN_FLOW = {
  format: "tributary.flow",
  name: "Price order",
  description: "Prices an order and labels it",
  graph: {
    version: 1,
    steps: [
      { id: "start", type: "trigger.manual" },
      {
        id: "hook",
        type: "trigger.webhook",
        name: "Partner order",
        config: { path: "orders", methods: ["POST"], securityRuleIds: ["partners"] },
      },
      {
        id: "price",
        type: "http.request",
        name: "Ask for the price",
        config: { connectionId: "prices-api", method: "POST", url: "/prices", body: "{{ $ }}" },
      },
      { id: "label", type: "flow.call", name: "Label it", config: { flowId: "Label order" } },
    ],
    edges: [
      { from: "start", to: "price" },
      { from: "hook", to: "price" },
      { from: "price", to: "label" },
    ],
  },
};

async function runOf(seeded: SeededWorkspace, flowId: string, body: unknown) {
  const started = await startRun({
    db: env.db,
    queue: env.queue,
    workspaceId: seeded.workspace.id,
    flowId,
    trigger: "manual",
    body,
  });
  return waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId: started.runId });
}

describe("flow files name what they refer to", () => {
  it("resolves names in the workspace the file is pushed to, exports names back, and runs there", async () => {
    const [first, second] = [await seedWorkspace({ db: env.db }), await seedWorkspace({ db: env.db })];
    await provision(first);
    await provision(second);
    const inFirst = api(await keyFor(first));
    const inSecond = api(await keyFor(second));

    // Pushed into the first workspace: names become its ids.
    expect((await inFirst("POST", "/flows", SUB_FLOW)).status).toBe(201);
    const created = await inFirst("POST", "/flows", MAIN_FLOW);
    const flowId = String(created.json.id);
    const stored = (await inFirst("GET", `/flows/${flowId}`)).json.draft as typeof MAIN_FLOW.graph;
    const config = (id: string) => stored.steps.find((step) => step.id === id)?.config as Record<string, unknown>;
    expect(config("price").connectionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(config("label").flowId).toMatch(/^[0-9a-f-]{36}$/);
    expect(config("hook").securityRuleIds).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/)]);

    // Exported, it names them again: the file is the same whichever workspace it came from.
    const exported = (await inFirst("GET", `/flows/${flowId}/export`)).json;
    const exportedGraph = exported.graph as typeof MAIN_FLOW.graph;
    const named = (id: string) => exportedGraph.steps.find((step) => step.id === id)?.config;
    expect(named("price")).toMatchObject({ connectionId: "prices-api" });
    expect(named("label")).toMatchObject({ flowId: "Label order" });
    expect(named("hook")).toMatchObject({ securityRuleIds: ["partners"] });

    // Pushed into the second workspace (the CLI's `flows push`): its own ids, published, runs there.
    const subFlow = await inSecond("POST", "/flows", SUB_FLOW);
    expect((await inSecond("POST", `/flows/${subFlow.json.id}/publish`)).status).toBe(200);
    const pushed = await inSecond("POST", "/flows", { name: exported.name, description: "", graph: exported.graph });
    const pushedId = String(pushed.json.id);
    const pushedDraft = (await inSecond("GET", `/flows/${pushedId}`)).json.draft as typeof MAIN_FLOW.graph;
    const pushedPrice = pushedDraft.steps.find((step) => step.id === "price")?.config as Record<string, unknown>;
    expect(pushedPrice.connectionId).not.toBe(config("price").connectionId);
    expect((await inSecond("POST", `/flows/${pushedId}/publish`)).status).toBe(200);
    const run = await runOf(second, pushedId, { items: [3, 4] });
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    // The secret was read (its value is redacted in what is stored).
    expect(run.output?.body).toEqual({ total: 7, region: "[redacted]" });
  }, 120_000);

  it("refuses to validate or publish a flow naming what this workspace does not have, naming it", async () => {
    const empty = await seedWorkspace({ db: env.db });
    const call = api(await keyFor(empty));
    const validated = await call("POST", "/flows/validate", { graph: MAIN_FLOW.graph });
    const messages = (validated.json.problems as { message: string; code: string }[]).map((p) => p.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'The step "Ask for the price" names the connection "prices-api", which this workspace does not have. Create it or rename the reference.',
        'The step "Label it" names the flow "Label order", which this workspace does not have. Create or push that flow, or rename the reference.',
        'The step "Partner order" names the security rule "partners", which this workspace does not have. Create it or rename the reference.',
      ]),
    );
    // Named once, by name: not also as "not a UUID" by the field's schema.
    expect(messages.filter((message) => message.includes("UUID"))).toEqual([]);

    const created = await call("POST", "/flows", MAIN_FLOW);
    expect(created.status).toBe(201);
    const refused = await call("POST", `/flows/${created.json.id}/publish`);
    expect(refused.status).toBe(400);
    const problems = (refused.json.error as { details: { validation: { message: string }[] } }).details.validation;
    expect(problems.map((p) => p.message)).toContain(
      'The step "Ask for the price" names the connection "prices-api", which this workspace does not have. Create it or rename the reference.',
    );

    // An older file with another workspace's ids is refused the same way, instead of failing at run time.
    const other = await seedWorkspace({ db: env.db });
    await provision(other);
    const inOther = api(await keyFor(other));
    const original = await inOther("POST", "/flows", SUB_FLOW);
    const withIds = (await inOther("GET", `/flows/${original.json.id}`)).json.draft;
    const mainWithIds = await inOther("POST", "/flows", MAIN_FLOW);
    const idGraph = (await inOther("GET", `/flows/${mainWithIds.json.id}`)).json.draft as typeof MAIN_FLOW.graph;
    const connectionId = idGraph.steps.find((step) => step.id === "price")?.config?.connectionId as string;
    expect((await call("POST", "/flows", { name: "Old sub-flow", graph: withIds })).status).toBe(201);
    const old = await call("POST", "/flows/validate", { graph: idGraph });
    expect((old.json.problems as { message: string }[]).map((p) => p.message)).toContain(
      `The step "Ask for the price" names the connection "${connectionId}", which this workspace does not have. Create it or rename the reference.`,
    );

    // A secret the workspace lacks is named too.
    const secretless = await call("POST", "/flows/validate", { graph: SUB_FLOW.graph });
    expect((secretless.json.problems as { message: string }[]).map((p) => p.message)).toEqual([
      'The step "label" names the secret "REGION", which this workspace does not have. Set it (Secrets page or `tributary secrets set`) or rename the reference.',
    ]);
  }, 120_000);
});

describe("workspace bundles", () => {
  it("exports a workspace and imports it into an empty one, which runs its flows the same; dry runs say what changes", async () => {
    const source = await seedWorkspace({ db: env.db });
    await provision(source);
    const fromSource = api(await keyFor(source));
    const subFlow = await fromSource("POST", "/flows", SUB_FLOW);
    await fromSource("POST", `/flows/${subFlow.json.id}/publish`);
    const main = await fromSource("POST", "/flows", MAIN_FLOW);
    const mainId = String(main.json.id);
    await fromSource("POST", `/flows/${mainId}/publish`);
    // The draft moves on after the publish: the bundle carries both.
    const draft = (await fromSource("GET", `/flows/${mainId}`)).json;
    await fromSource("PUT", `/flows/${mainId}/draft`, {
      baseRevision: draft.draftRevision,
      graph: { ...(draft.draft as object), steps: [...(draft.draft as typeof MAIN_FLOW.graph).steps] },
    });
    await fromSource("PUT", "/allowed-hosts", { allowedHosts: ["127.0.0.1", "10.1.0.0/16"] });
    // Alert rules naming flows: one watched, one started; a webhook URL is a credential.
    const hookUrl = `${target.url}/hooks/pager-s3cret-path`;
    const hint = `${new URL(target.url).origin}/…`;
    for (const rule of [
      {
        name: "Failures to the pager",
        flowId: mainId,
        event: "run_failed",
        channel: "webhook",
        url: hookUrl,
        intervalSeconds: 300,
      },
      {
        name: "Slow pricing",
        flowId: mainId,
        event: "run_slow",
        threshold: 600_000,
        channel: "email",
        emailTo: ["ops@example.com"],
      },
      {
        name: "Start labelling on failures",
        event: "run_failed",
        channel: "flow",
        targetFlowId: subFlow.json.id,
        intervalSeconds: 0,
      },
    ]) {
      expect((await fromSource("POST", "/alert-rules", rule)).status).toBe(201);
    }

    const exported = await fromSource("GET", "/workspace/bundle");
    expect(exported.status).toBe(200);
    const bundle = exported.json;
    expect(JSON.stringify(bundle)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    expect(bundle).toMatchObject({
      format: "tributary.workspace-bundle",
      version: 1,
      settings: { allowedHosts: ["127.0.0.1", "10.1.0.0/16"] },
      connections: [{ name: "prices-api", type: "http", secretFields: [] }],
      securityRules: [{ name: "partners", type: "ip_allow", config: { cidrs: ["192.0.2.0/24"] } }],
    });
    expect(bundle.alertRules).toEqual([
      {
        name: "Failures to the pager",
        event: "run_failed",
        threshold: null,
        flow: "Price order",
        channel: "webhook",
        emailTo: [],
        targetFlow: null,
        targetHint: hint,
        intervalSeconds: 300,
        enabled: true,
      },
      {
        name: "Slow pricing",
        event: "run_slow",
        threshold: 600_000,
        flow: "Price order",
        channel: "email",
        emailTo: ["ops@example.com"],
        targetFlow: null,
        targetHint: null,
        intervalSeconds: 600,
        enabled: true,
      },
      {
        name: "Start labelling on failures",
        event: "run_failed",
        threshold: null,
        flow: null,
        channel: "flow",
        emailTo: [],
        targetFlow: "Label order",
        targetHint: null,
        intervalSeconds: 0,
        enabled: true,
      },
    ]);
    expect(JSON.stringify(bundle)).not.toContain("pager-s3cret-path");
    expect(JSON.stringify(bundle)).not.toContain("whsec_");

    const destination = await seedWorkspace({ db: env.db });
    const intoDestination = api(await keyFor(destination));
    // The secret is set by hand: bundles hold no secret values.
    await setSecret({
      db: env.db,
      secretBox,
      workspaceId: destination.workspace.id,
      actor: destination.owner.actor,
      name: "REGION",
      value: "eu-west",
    });
    const dryRun = await intoDestination("POST", "/workspace/bundle?dryRun=true", bundle);
    expect(dryRun.status).toBe(200);
    expect(dryRun.json).toEqual({
      dryRun: true,
      notPublished: [],
      items: [
        { kind: "connection", name: "prices-api", action: "create", notes: [] },
        { kind: "securityRule", name: "partners", action: "create", notes: [] },
        { kind: "flow", name: "Label order", action: "create", notes: [] },
        { kind: "flow", name: "Price order", action: "create", notes: [] },
        {
          kind: "alertRule",
          name: "Failures to the pager",
          action: "create",
          notes: [
            `Disabled until its webhook URL is set (it went to ${hint}): set it on the Alerts page and enable the rule; its new signing secret is shown then. A bundle holds no URLs.`,
          ],
        },
        { kind: "alertRule", name: "Slow pricing", action: "create", notes: [] },
        { kind: "alertRule", name: "Start labelling on failures", action: "create", notes: [] },
        { kind: "settings", name: "Workspace settings", action: "change", notes: [] },
      ],
    });
    // A dry run changes nothing.
    expect((await intoDestination("GET", "/flows")).json.flows).toEqual([]);

    const imported = await intoDestination("POST", "/workspace/bundle", bundle);
    expect(imported.status).toBe(200);
    expect(imported.json).toMatchObject({ dryRun: false, notPublished: [] });

    // Imported again, nothing changes.
    const again = await intoDestination("POST", "/workspace/bundle?dryRun=true", bundle);
    expect((again.json.items as { action: string }[]).map((item) => item.action)).toEqual(Array(8).fill("leave"));
    // The same, but for the webhook rule: it waits, disabled, for its URL.
    const reexported = (await intoDestination("GET", "/workspace/bundle")).json;
    const sourceRules = bundle.alertRules as { name: string }[];
    expect({ ...reexported, exportedAt: null, workspace: null }).toEqual({
      ...bundle,
      exportedAt: null,
      workspace: null,
      alertRules: sourceRules.map((rule) =>
        rule.name === "Failures to the pager" ? { ...rule, enabled: false, targetHint: null } : rule,
      ),
    });
    type Rule = { id: string; name: string; flowId: string | null; targetFlowId: string | null; enabled: boolean };
    const destinationRules = (await intoDestination("GET", "/alert-rules")).json.rules as Rule[];
    const pager = destinationRules.find((rule) => rule.name === "Failures to the pager") as Rule;
    expect(pager.enabled).toBe(false);
    // Its URL set here, it is enabled, gets its own signing secret, and the bundle leaves it so.
    const withUrl = await intoDestination("PUT", `/alert-rules/${pager.id}`, {
      name: pager.name,
      flowId: pager.flowId,
      event: "run_failed",
      channel: "webhook",
      url: `${target.url}/hooks/production-path`,
      intervalSeconds: 300,
      enabled: true,
    });
    expect(withUrl.status).toBe(200);
    expect(withUrl.json.signingSecret).toMatch(/^whsec_/);
    const planned = await intoDestination("POST", "/workspace/bundle?dryRun=true", bundle);
    expect(planned.json.items).toContainEqual({
      kind: "alertRule",
      name: "Failures to the pager",
      action: "leave",
      notes: [],
    });

    // The imported flows run as the originals do.
    const flowsOf = async (call: ReturnType<typeof api>) =>
      Object.fromEntries(
        ((await call("GET", "/flows")).json.flows as { id: string; name: string; currentVersion: number | null }[]).map(
          (flow) => [flow.name, flow],
        ),
      );
    const [sourceFlows, destinationFlows] = [await flowsOf(fromSource), await flowsOf(intoDestination)];
    expect(destinationFlows["Price order"]?.currentVersion).toBe(1);
    for (const body of [{ items: [1, 2, 3] }, { items: [] }]) {
      const original = await runOf(source, sourceFlows["Price order"]?.id as string, body);
      const copy = await runOf(destination, destinationFlows["Price order"]?.id as string, body);
      expect(copy.status).toBe(original.status);
      expect(copy.status).toBe("succeeded");
      expect(copy.output?.body).toEqual(original.output?.body);
      const stepsOf = (run: typeof copy) => run.steps.map((step) => `${step.key} ${step.status}`).sort();
      expect(stepsOf(copy)).toEqual(stepsOf(original));
    }

    // A changed source shows up as a change; what the destination needs by hand is in the notes.
    await fromSource("POST", "/connections", {
      name: "billing",
      type: "http",
      config: { baseUrl: "https://billing.example.com", auth: "bearer", token: "t0ken-value" },
    });
    const next = (await fromSource("GET", "/workspace/bundle")).json;
    expect(JSON.stringify(next)).not.toContain("t0ken-value");
    const plan = await intoDestination("POST", "/workspace/bundle?dryRun=true", next);
    expect(plan.json.items).toContainEqual({
      kind: "connection",
      name: "billing",
      action: "create",
      notes: ["Set its secret fields (token, password, headerValue) and test it: a bundle holds no secret values."],
    });
    await intoDestination("POST", "/workspace/bundle", next);
    const connections = (await intoDestination("GET", "/connections")).json.connections as {
      name: string;
      lastCheckOk: boolean | null;
      lastCheckNote: string | null;
    }[];
    expect(connections.find((connection) => connection.name === "billing")).toMatchObject({
      lastCheckOk: false,
      lastCheckNote: "Imported without its secret values: set them, then test it.",
    });
  }, 180_000);

  it("refuses a bundle it cannot import, and keys below admin", async () => {
    const seeded = await seedWorkspace({ db: env.db });
    const call = api(await keyFor(seeded));
    const bad = await call("POST", "/workspace/bundle?dryRun=true", {
      format: "tributary.workspace-bundle",
      version: 1,
      connections: [
        { name: "twice", type: "http", config: { baseUrl: "https://a.example.com" } },
        { name: "twice", type: "http", config: { baseUrl: "https://b.example.com" } },
      ],
    });
    expect(bad.status).toBe(400);
    expect((bad.json.error as { message: string }).message).toContain(
      'The bundle has two connections named "twice": rename one.',
    );
    const unknownFlow = await call("POST", "/workspace/bundle?dryRun=true", {
      format: "tributary.workspace-bundle",
      version: 1,
      alertRules: [
        { name: "Pager", event: "run_failed", flow: "Payments", channel: "slack" },
        { name: "Slow", event: "run_slow", channel: "flow", targetFlow: "Payments" },
      ],
    });
    expect(unknownFlow.status).toBe(400);
    expect((unknownFlow.json.error as { details: { problems: string[] } }).details.problems).toEqual([
      'The alert rule "Pager" names the flow "Payments", which is neither in the bundle nor in this workspace.',
      'The alert rule "Slow": Say how long a run may take (milliseconds) before it counts as slow.',
      'The alert rule "Slow" names the flow "Payments", which is neither in the bundle nor in this workspace.',
    ]);
    const owner = callerFor({ env, user: seeded.owner });
    const editorKey = (await owner.apiKeys.create({ workspaceId: seeded.workspace.id, name: "editor", role: "editor" }))
      .key;
    expect((await api(editorKey)("GET", "/workspace/bundle")).status).toBe(403);
  }, 60_000);

  it("reads a bundle written before alert rules: its error flow becomes the rule it became in workspaces", async () => {
    const seeded = await seedWorkspace({ db: env.db });
    const call = api(await keyFor(seeded));
    const older = {
      format: "tributary.workspace-bundle",
      version: 1,
      settings: { allowedHosts: [], errorFlow: "On failure" },
      flows: [{ name: "On failure", draft: { version: 1, steps: [], edges: [] } }],
    };
    const plan = await call("POST", "/workspace/bundle?dryRun=true", older);
    expect(plan.status).toBe(200);
    expect(plan.json.items).toEqual([
      { kind: "flow", name: "On failure", action: "create", notes: [] },
      { kind: "alertRule", name: "Error flow", action: "create", notes: [] },
      { kind: "settings", name: "Workspace settings", action: "leave", notes: [] },
    ]);
    expect((await call("POST", "/workspace/bundle", older)).status).toBe(200);
    expect((await call("GET", "/alert-rules")).json.rules).toEqual([
      expect.objectContaining({
        name: "Error flow",
        event: "run_failed",
        flowId: null,
        channel: "flow",
        targetFlowName: "On failure",
        intervalSeconds: 0,
        enabled: true,
      }),
    ]);
    // Exported again, it is an alert rule; imported again, nothing changes.
    expect((await call("GET", "/workspace/bundle")).json).toMatchObject({
      settings: { allowedHosts: [] },
      alertRules: [{ name: "Error flow", channel: "flow", targetFlow: "On failure" }],
    });
    const again = await call("POST", "/workspace/bundle?dryRun=true", older);
    expect((again.json.items as { action: string }[]).map((item) => item.action)).toEqual(["leave", "leave", "leave"]);
  }, 60_000);
});
