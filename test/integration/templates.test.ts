// The template gallery: every template validates as it is (its connections chosen, its secrets set), the search
// finds them, a template becomes a draft with its sample message pinned on its trigger, and those that need no outside service run as they are.
import {
  checkGraph,
  connectionTypes,
  FLOW_TEMPLATES,
  type FlowTemplate,
  getFlow,
  listTemplates,
  stepTypes,
} from "@tributary/core";
import { scoped } from "@tributary/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedWorkspace } from "../factories/seed.ts";
import { callerFor } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { waitForRun } from "../support/run-helpers.ts";
import { startWorker, type WorkerProcess } from "../support/worker-process.ts";

const env = useTestEnvironment();
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  worker = await startWorker({ databaseUrl: env.databaseUrl, redisPrefix: env.redisPrefix });
});
afterAll(async () => {
  await worker?.stop();
});

/**
 * The template's graph in a workspace that has what it names, as a user's would: a connection of the right type
 * chosen for each step that needs one, and the secrets it reads set.
 */
async function connected(template: FlowTemplate) {
  const seeded = await seedWorkspace({ db: env.db });
  const workspaceId = seeded.workspace.id;
  const chosen = new Map<string, string>();
  for (const need of template.connections) {
    const made = await scoped(env.db, { workspaceId }, (tx) =>
      tx.connection.create({ data: { workspaceId, name: `${need.stepId} ${need.type}`, type: need.type } }),
    );
    chosen.set(need.stepId, made.id);
  }
  const caller = callerFor({ env, user: seeded.owner });
  for (const [, name] of JSON.stringify(template.graph).matchAll(/\$secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
    await caller.secrets.set({ workspaceId, name: name as string, value: "set for the test" });
  }
  const graph = {
    ...template.graph,
    steps: template.graph.steps.map((step) =>
      chosen.has(step.id) ? { ...step, config: { ...step.config, connectionId: chosen.get(step.id) } } : step,
    ),
  };
  return { workspaceId, graph };
}

const offline = FLOW_TEMPLATES.filter((template) => template.needs.length === 0);

describe("flow templates", () => {
  it("has at least 12, across the connectors, with known step and connection types", () => {
    expect(FLOW_TEMPLATES.length).toBeGreaterThanOrEqual(12);
    expect(new Set(FLOW_TEMPLATES.map((template) => template.id)).size).toBe(FLOW_TEMPLATES.length);
    const known = new Set(stepTypes().map((entry) => entry.type));
    const connectionKinds = new Set(connectionTypes().map((entry) => entry.type));
    for (const template of FLOW_TEMPLATES) {
      for (const step of template.graph.steps) expect(known, `${template.id}: ${step.type}`).toContain(step.type);
      for (const need of template.connections) {
        expect(connectionKinds, `${template.id}: ${need.type}`).toContain(need.type);
        expect(template.graph.steps.map((step) => step.id)).toContain(need.stepId);
      }
    }
    const used = new Set(FLOW_TEMPLATES.flatMap((template) => template.graph.steps.map((step) => step.type)));
    for (const type of ["slack.message", "postgres.query", "smtp.send", "format.hl7", "format.csv", "mysql.insert"]) {
      expect(used).toContain(type);
    }
    for (const type of ["amqp.consume", "postgres.insert", "trigger.schedule", "http.request", "mqtt.publish"]) {
      expect(used).toContain(type);
    }
    expect(offline.length).toBeGreaterThanOrEqual(5);
  });

  it.each(FLOW_TEMPLATES.map((template) => [template.id, template] as const))(
    "%s validates (engine validator, flow references, code type-check)",
    async (_id, template) => {
      const { workspaceId, graph } = await connected(template);
      const { errors } = await checkGraph({ db: env.db, workspaceId, graph });
      expect(errors).toEqual([]);
    },
  );

  it("is searchable by system, format and words of the description", () => {
    const ids = (search: string) => listTemplates({ search }).map((template) => template.id);
    expect(ids("")).toHaveLength(FLOW_TEMPLATES.length);
    expect(ids("hl7")[0]).toBe("hl7-to-json");
    expect(ids("slack")).toEqual(["webhook-to-slack"]);
    expect(ids("postgres email")).toEqual(["postgres-rows-to-email"]);
    expect(ids("RabbitMQ → Postgres")).toEqual(["rabbitmq-to-postgres"]);
    expect(ids("csv mysql")).toEqual(["csv-to-mysql"]);
    expect(ids("mqtt")).toEqual(["schedule-http-mqtt"]);
    expect(ids("no such system anywhere")).toEqual([]);
  });

  it("names its steps as the palette does, in the flow's order, and is found by those names", () => {
    const hl7 = listTemplates({ search: "" }).find((template) => template.id === "hl7-to-json");
    expect(hl7?.steps.map((step) => step.title)).toEqual(["Webhook", "HL7 v2", "Transform", "Respond"]);
    expect(listTemplates({ search: "if else" }).map((template) => template.id)).toEqual(["route-by-value"]);
  });

  it("makes a draft with the sample pinned on its trigger, a free webhook path, and the workspace's own connection", async () => {
    const seeded = await seedWorkspace({ db: env.db });
    const workspaceId = seeded.workspace.id;
    const caller = callerFor({ env, user: seeded.owner });

    const first = await caller.flows.createFromTemplate({ workspaceId, templateId: "hl7-to-json" });
    const flow = await getFlow({ db: env.db, workspaceId, flowId: first.id });
    expect(flow).toMatchObject({ name: "HL7 v2 → JSON", currentVersion: null });
    expect(flow.pins).toEqual({
      hl7: { body: FLOW_TEMPLATES.find((t) => t.id === "hl7-to-json")?.sample.body, headers: [] },
    });
    await caller.flows.publish({ workspaceId, flowId: first.id });

    // Taken again: its webhook path is already in use, so the copy gets another and publishes too.
    const second = await caller.flows.createFromTemplate({ workspaceId, templateId: "hl7-to-json", name: "HL7 again" });
    const copy = await getFlow({ db: env.db, workspaceId, flowId: second.id });
    expect(copy.draft.steps[0]?.config.path).toBe("hl7-to-json-2");
    await caller.flows.publish({ workspaceId, flowId: second.id });
    expect((await caller.flows.webhookUrls({ workspaceId })).filter((url) => !url.isTest)).toEqual([
      expect.objectContaining({ flowId: first.id, pattern: "hl7-to-json", methods: ["POST"], responseMode: "sync" }),
      expect.objectContaining({ flowId: second.id, pattern: "hl7-to-json-2", flowName: "HL7 again" }),
    ]);

    // Without a Redis connection the step waits for one, and validation says so.
    const bare = await caller.flows.createFromTemplate({ workspaceId, templateId: "redis-page-counter" });
    expect(bare.missingConnections).toEqual(["count"]);
    const bareDraft = (await getFlow({ db: env.db, workspaceId, flowId: bare.id })).draft;
    const problems = await caller.flows.validate({ workspaceId, graph: bareDraft });
    expect(problems).toEqual([expect.objectContaining({ stepId: "count", field: "connectionId" })]);

    const redis = await caller.connections.save({
      workspaceId,
      name: "Cache",
      type: "redis",
      config: { host: "127.0.0.1", port: 6379 },
    });
    const wired = await caller.flows.createFromTemplate({ workspaceId, templateId: "redis-page-counter" });
    expect(wired.missingConnections).toEqual([]);
    const wiredDraft = (await getFlow({ db: env.db, workspaceId, flowId: wired.id })).draft;
    expect(wiredDraft.steps.find((step) => step.id === "count")?.config.connectionId).toBe(redis.id);
    expect(await caller.flows.validate({ workspaceId, graph: wiredDraft })).toEqual([]);

    const audit = await caller.audit.list({ workspaceId });
    expect(JSON.stringify(audit)).toContain('"template":"redis-page-counter"');
  });

  it("refuses an unknown template and a viewer", async () => {
    const seeded = await seedWorkspace({ db: env.db, roles: ["viewer"] });
    const workspaceId = seeded.workspace.id;
    const asOwner = callerFor({ env, user: seeded.owner });
    await expect(asOwner.flows.createFromTemplate({ workspaceId, templateId: "no-such" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const viewer = seeded.members.viewer;
    if (!viewer) throw new Error("the seed made no viewer");
    const asViewer = callerFor({ env, user: viewer });
    expect(await asViewer.flows.templates({ workspaceId, search: "" })).toHaveLength(FLOW_TEMPLATES.length);
    await expect(asViewer.flows.createFromTemplate({ workspaceId, templateId: "hl7-to-json" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it.each(offline.map((template) => [template.id, template] as const))(
    "%s runs as it is, on its own sample",
    async (_id, template) => {
      const seeded = await seedWorkspace({ db: env.db });
      const workspaceId = seeded.workspace.id;
      const caller = callerFor({ env, user: seeded.owner });
      const { id: flowId } = await caller.flows.createFromTemplate({ workspaceId, templateId: template.id });
      const flow = await getFlow({ db: env.db, workspaceId, flowId });
      // The Test tab's sample is the trigger's pin.
      const trigger = flow.draft.steps.find((step) => step.type.startsWith("trigger."));
      const body = flow.pins[trigger?.id ?? ""]?.body;
      expect(body).toEqual(template.sample.body);
      const started = await caller.runs.start({ workspaceId, flowId, body, test: true });
      const run = await waitForRun({ db: env.db, workspaceId, runId: started.runId });
      expect(run.error).toBeNull();
      expect(run.status).toBe("succeeded");
      expect(run.steps.filter((step) => step.status === "failed")).toEqual([]);
      expect(EXPECTED[template.id]?.(run)).toBe(true);
    },
  );
});

type Finished = Awaited<ReturnType<typeof waitForRun>>;

/** What each runnable template gives for its sample. */
const EXPECTED: Record<string, (run: Finished) => boolean> = {
  "hl7-to-json": ({ output }) => {
    const out = output?.body as { type: unknown; patientId: unknown; name: unknown; segments: unknown[] };
    return (
      JSON.stringify(out.type) === JSON.stringify(["ADT", "A01"]) &&
      out.patientId === "4711" &&
      JSON.stringify(out.name) === JSON.stringify(["LOVELACE", "ADA"]) &&
      out.segments.length === 3
    );
  },
  "webhook-quote-api": ({ output }) =>
    JSON.stringify(output?.body) ===
    JSON.stringify({ item: "tea", quantity: 12, total: 54, currency: "EUR", discount: 0.1 }),
  "xml-to-json": ({ output }) =>
    /Ada Lovelace/.test(JSON.stringify(output?.body)) && /A-1041/.test(JSON.stringify(output?.body)),
  "code-enrich-order": ({ output }) => {
    const out = output?.body as { net: number; tax: number; gross: number };
    return out.net === 21 && out.tax === 4.2 && out.gross === 25.2;
  },
  // The sample's total is over 100: the review path runs, the other is skipped.
  "route-by-value": ({ steps }) =>
    JSON.stringify(steps.map((step) => [step.stepId, step.status]).sort()) ===
    JSON.stringify([
      ["accept", "skipped"],
      ["large", "succeeded"],
      ["order", "succeeded"],
      ["review", "succeeded"],
    ]),
  "loop-order-lines": ({ output }) => JSON.stringify(output?.body) === JSON.stringify({ total: 21, lines: 2 }),
};
