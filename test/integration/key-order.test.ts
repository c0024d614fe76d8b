import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { callerFor, restHandlerFor } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph, publishedFlow, waitForRun } from "../support/run-helpers.ts";
import { webhookHarness } from "../support/webhook-harness.ts";
import { startWorker, type WorkerProcess } from "../support/worker-process.ts";

const env = useTestEnvironment();
let seeded: SeededWorkspace;
let hooks: ReturnType<typeof webhookHarness>;
let worker: WorkerProcess;

beforeAll(async () => {
  seeded = await seedWorkspace({ db: env.db });
  hooks = webhookHarness(env);
  worker = await startWorker({ databaseUrl: env.databaseUrl, redisPrefix: env.redisPrefix });
});
afterAll(async () => {
  await worker?.stop("SIGKILL");
  await hooks?.close();
});

// Neither alphabetical nor the order jsonb keeps (shorter keys first, then bytes).
const envelope = {
  Envelope: {
    Header: { Security: { Username: "svc", Token: "t-1" } },
    Body: { PlaceOrder: { zone: "EU", customer: "C-9", amount: "12.50", id: "A-7" } },
  },
};
const keysOf = (value: unknown): string[] => Object.keys(value as object);

describe("key order", () => {
  it("survives a park in Postgres, the XML and JSON writers and both APIs", async () => {
    await publishedFlow({
      db: env.db,
      workspaceId: seeded.workspace.id,
      actor: seeded.owner.actor,
      name: "Envelope order",
      graph: graph(
        [
          ["in", "trigger.webhook", { path: "envelope", methods: ["POST"], responseMode: "async" }],
          ["wait", "flow.delay", { seconds: 1 }],
          ["xml", "format.xml", { direction: "write", declaration: false, pretty: false, resultField: "xml" }],
          ["json", "format.json", { direction: "write", input: "{{ Envelope }}", resultField: "json" }],
        ],
        [
          ["in", "wait"],
          ["wait", "xml"],
          ["xml", "json"],
        ],
      ),
    });
    const response = await hooks.call(`/hooks/${seeded.workspace.slug}/envelope`, {
      headers: { "content-type": "application/json" },
      body: JSON.stringify(envelope),
    });
    expect(response.status).toBe(202);
    const runId = response.json.runId as string;
    const run = await waitForRun({ db: env.db, workspaceId: seeded.workspace.id, runId });
    expect(run.status).toBe("succeeded");
    // It did park: read back from Postgres by the worker that woke it.
    expect((run.log as { event: string }[]).map((entry) => entry.event)).toContain("woke");

    const body = run.output?.body as { xml: string; json: string; Envelope: typeof envelope.Envelope };
    expect(body.xml).toBe(
      "<Envelope><Header><Security><Username>svc</Username><Token>t-1</Token></Security></Header>" +
        "<Body><PlaceOrder><zone>EU</zone><customer>C-9</customer><amount>12.50</amount><id>A-7</id></PlaceOrder></Body></Envelope>",
    );
    expect(body.json).toBe(JSON.stringify(envelope.Envelope));

    const expectOrder = (message: { body: unknown } | null | undefined) => {
      expect(message).toBeTruthy();
      const read = (message as { body: typeof envelope }).body.Envelope;
      expect(keysOf(read)).toEqual(["Header", "Body"]);
      expect(keysOf(read.Body.PlaceOrder)).toEqual(["zone", "customer", "amount", "id"]);
    };
    const page = await callerFor({ env, user: seeded.owner }).runs.get({ workspaceId: seeded.workspace.id, runId });
    expectOrder(page.input);
    expectOrder(page.output);
    for (const step of page.steps) expectOrder(step.output as { body: unknown });
    // The runs list still filters inside messages: by a header and by words in a body.
    const listed = await callerFor({ env, user: seeded.owner }).runs.list({
      workspaceId: seeded.workspace.id,
      header: { name: "content-type", value: "application/json" },
      text: "PlaceOrder",
    });
    expect(listed.runs.map((r) => r.id)).toEqual([runId]);

    const rest = restHandlerFor({ env, clientIp: () => "192.0.2.1" });
    const { key } = await callerFor({ env, user: seeded.owner }).apiKeys.create({
      workspaceId: seeded.workspace.id,
      name: "order",
      role: "viewer",
    });
    const answer = await rest(
      new Request(`http://localhost/api/v1/runs/${runId}`, { headers: { authorization: `Bearer ${key}` } }),
    );
    expect(answer.status).toBe(200);
    const text = await answer.text();
    expect(text.indexOf('"Header"')).toBeLessThan(text.indexOf('"Body"'));
    const detail = JSON.parse(text) as { input: { body: unknown }; output: { body: unknown } };
    expectOrder(detail.input);
    expectOrder(detail.output);
  });

  it("writes XML that an XSD sequence accepts after a park, in the order the body gave", async () => {
    const schema =
      '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="order"><xs:complexType><xs:sequence>' +
      '<xs:element name="zone" type="xs:string"/><xs:element name="customer" type="xs:string"/>' +
      '<xs:element name="amount" type="xs:decimal"/><xs:element name="id" type="xs:string"/>' +
      "</xs:sequence></xs:complexType></xs:element></xs:schema>";
    await publishedFlow({
      db: env.db,
      workspaceId: seeded.workspace.id,
      actor: seeded.owner.actor,
      name: "Sequence order",
      graph: graph(
        [
          ["in", "trigger.webhook", { path: "sequence", methods: ["POST"], responseMode: "async" }],
          ["wait", "flow.delay", { seconds: 1 }],
          ["xml", "format.xml", { direction: "write", declaration: false, pretty: false, resultField: "xml" }],
          ["check", "xml.validate", { schema, input: "{{ xml }}" }],
        ],
        [
          ["in", "wait"],
          ["wait", "xml"],
          ["xml", "check"],
        ],
      ),
    });
    const response = await hooks.call(`/hooks/${seeded.workspace.slug}/sequence`, {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ order: envelope.Envelope.Body.PlaceOrder }),
    });
    expect(response.status).toBe(202);
    const run = await waitForRun({
      db: env.db,
      workspaceId: seeded.workspace.id,
      runId: response.json.runId as string,
    });
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    expect((run.output?.body as { xml: string } | undefined)?.xml).toBe(
      "<order><zone>EU</zone><customer>C-9</customer><amount>12.50</amount><id>A-7</id></order>",
    );
  });
});
