// The REST API against its own OpenAPI document: the document is valid OpenAPI 3.1, every operation answers
// what the document says (checked on real answers), every role gets exactly what the permission matrix
// allows, and keys, errors, rate limits and the audit log behave.
import { createConfig, lintFromString } from "@redocly/openapi-core";
import { Validator } from "@seriousme/openapi-schema-validator";
import { type createRestHandler, OPERATIONS } from "@tributary/api";
import { can, createDb, listAuditEvents } from "@tributary/core";
import { Ajv2020 } from "ajv/dist/2020.js";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { callerFor, restHandlerFor } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";

const env = useTestEnvironment();
let seeded: SeededWorkspace;
let handle: ReturnType<typeof createRestHandler>;
const KEY_ROLES = ["admin", "editor", "operator", "viewer"] as const;
const keys: Record<(typeof KEY_ROLES)[number], string> = { admin: "", editor: "", operator: "", viewer: "" };
type Document = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content: { "application/json": { schema: object } } }> }>
  >;
  components: { schemas: Record<string, object> };
};
let document: Document;
const ajv = new Ajv2020({ strict: false, validateFormats: false });

beforeAll(async () => {
  seeded = await seedWorkspace({ db: env.db });
  handle = restHandlerFor({ env, clientIp: () => "192.0.2.1" });
  const owner = callerFor({ env, user: seeded.owner });
  for (const role of KEY_ROLES) {
    keys[role] = (await owner.apiKeys.create({ workspaceId: seeded.workspace.id, name: role, role })).key;
  }
  document = (await (await handle(new Request("http://localhost/api/v1/openapi.json"))).json()) as Document;
  ajv.addSchema({ $id: "doc", components: document.components });
});

async function call(method: string, path: string, { key = keys.editor, body }: { key?: string; body?: unknown } = {}) {
  const response = await handle(
    new Request(`http://localhost/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

/** Checks an answer against the document's schema for its operation and status. */
function conforms(path: string, method: string, answer: { status: number; json: unknown }) {
  const responses = document.paths[path]?.[method.toLowerCase()]?.responses ?? {};
  const schema =
    answer.status < 300
      ? responses[String(answer.status)]?.content["application/json"].schema
      : { $ref: "doc#/components/schemas/Error" };
  expect(schema, `${method} ${path} ${answer.status} is documented`).toBeDefined();
  const validate = ajv.compile(schema as object);
  expect(validate(answer.json), `${method} ${path}: ${JSON.stringify(validate.errors)}`).toBe(true);
}

const GRAPH = {
  version: 1,
  steps: [
    { id: "start", type: "trigger.manual" },
    { id: "shape", type: "data.transform", config: { expression: "{ 'n': n * 2 }" } },
  ],
  edges: [{ from: "start", to: "shape", output: "out" }],
};

describe("REST API", () => {
  it("publishes a valid OpenAPI 3.1 document that passes Redocly's strictest lint rules", async () => {
    const validator = new Validator();
    const result = await validator.validate(document as unknown as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const problems = await lintFromString({
      source: JSON.stringify(document),
      absoluteRef: "/api/v1/openapi.json",
      config: await createConfig({ extends: ["recommended-strict"] }),
    });
    expect(problems.map((problem) => `${problem.ruleId}: ${problem.message}`)).toEqual([]);
    expect(Object.values(document.paths).flatMap((methods) => Object.keys(methods))).toHaveLength(OPERATIONS.length);
  });

  it("answers every operation as its document says, from creating a flow to re-running a run", async () => {
    const seen = new Set<string>();
    const step = async (method: string, documented: string, path: string, body?: unknown, key = keys.editor) => {
      const answer = await call(method, path, { body, key });
      conforms(documented, method, answer);
      seen.add(`${method} ${documented}`);
      return answer;
    };
    const created = await step("POST", "/flows", "/flows", { name: "From the API", graph: GRAPH });
    expect(created.status).toBe(201);
    const flowId = String(created.json.id);
    await step("GET", "/flows", "/flows");
    await step("POST", "/flows/validate", "/flows/validate", { graph: GRAPH });
    const flow = await step("GET", "/flows/{flowId}", `/flows/${flowId}`);
    await step("PUT", "/flows/{flowId}/draft", `/flows/${flowId}/draft`, {
      graph: GRAPH,
      baseRevision: flow.json.draftRevision,
    });
    await step("PUT", "/flows/{flowId}", `/flows/${flowId}`, { name: "Renamed by the API", description: "Doubles n" });
    const exported = await step("GET", "/flows/{flowId}/export", `/flows/${flowId}/export`);
    expect(exported.json).toMatchObject({ name: "Renamed by the API", description: "Doubles n" });
    expect((await step("POST", "/flows/{flowId}/publish", `/flows/${flowId}/publish`)).status).toBe(200);
    await step("GET", "/flows/{flowId}/versions", `/flows/${flowId}/versions`);
    const statistics = await step("GET", "/flows/{flowId}/statistics", `/flows/${flowId}/statistics?period=1h`);
    expect(statistics.json).toMatchObject({ period: "1h", summary: { "1h": { runs: 0, p95Ms: null } } });
    await step("POST", "/flows/{flowId}/pause", `/flows/${flowId}/pause`);
    await step("POST", "/flows/{flowId}/activate", `/flows/${flowId}/activate`);
    const run = await step("POST", "/runs", "/runs", { flowId, body: { n: 21 } });
    const runId = String(run.json.runId);
    await step("GET", "/runs", `/runs?flowId=${flowId}&limit=10`);
    await step("GET", "/runs/{runId}", `/runs/${runId}`);
    await step("GET", "/runs/{runId}/steps", `/runs/${runId}/steps`);
    const byHeader = await step("GET", "/runs", `/runs?headerName=x-order&headerValue=A-1`);
    expect(byHeader.json.runs).toEqual([]);
    const letters = await step("GET", "/flows/{flowId}/dead-letters", `/flows/${flowId}/dead-letters?state=open`);
    expect(letters.json).toMatchObject({ deadLetters: [], nextCursor: null, counts: { open: 0, discarded: 0 } });
    const replayAll = await step(
      "POST",
      "/flows/{flowId}/dead-letters/replay",
      `/flows/${flowId}/dead-letters/replay`,
      {
        all: true,
      },
    );
    expect(replayAll.status).toBe(412);
    // A manual run is no dead letter: neither replayed nor discarded as one.
    const discard = await step(
      "POST",
      "/flows/{flowId}/dead-letters/discard",
      `/flows/${flowId}/dead-letters/discard`,
      {
        runIds: [runId],
      },
    );
    expect(discard.status).toBe(404);
    await step("POST", "/runs/{runId}/cancel", `/runs/${runId}/cancel`);
    const bulk = await step("POST", "/bulk-reruns", "/bulk-reruns", {
      filter: { flowId, status: "cancelled" },
      version: "original",
    });
    expect(bulk.json).toMatchObject({ total: 1, status: "running", version: "original" });
    await step("GET", "/bulk-reruns/{bulkRerunId}", `/bulk-reruns/${bulk.json.id}`);
    await step("POST", "/runs/{runId}/rerun", `/runs/${runId}/rerun`);
    const rerunFrom = await step("POST", "/runs/{runId}/rerun-from", `/runs/${runId}/rerun-from`, { stepKey: "nope" });
    expect(rerunFrom.status).toBe(404);
    await step("DELETE", "/flows/{flowId}", `/flows/${flowId}`);

    await step("GET", "/connection-types", "/connection-types");
    const connection = await step("POST", "/connections", "/connections", {
      name: "Orders API",
      type: "http",
      config: { baseUrl: "http://127.0.0.1:9/v1", auth: "bearer", token: "s3cret-token" },
    });
    expect(connection.status).toBe(201);
    const connectionId = String(connection.json.id);
    await step("PUT", "/connections/{connectionId}", `/connections/${connectionId}`, {
      name: "Orders API v2",
      type: "http",
      config: { baseUrl: "http://127.0.0.1:9/v2", auth: "bearer" },
    });
    const listed = await step("GET", "/connections", "/connections");
    expect(JSON.stringify(listed.json)).not.toContain("s3cret-token");
    expect(listed.json.connections).toMatchObject([
      { name: "Orders API v2", secretFieldsSet: ["token", "password", "headerValue"] },
    ]);
    const tested = await step("POST", "/connections/{connectionId}/test", `/connections/${connectionId}/test`);
    expect(tested.json.ok).toBe(false);
    await step("DELETE", "/connections/{connectionId}", `/connections/${connectionId}`);

    await step("PUT", "/secrets/{name}", "/secrets/SHOP_TOKEN", { value: "hunter2-hunter2" });
    const secrets = await step("GET", "/secrets", "/secrets");
    expect(secrets.json.secrets).toMatchObject([{ name: "SHOP_TOKEN" }]);
    expect(JSON.stringify(secrets.json)).not.toContain("hunter2");
    await step("DELETE", "/secrets/{name}", "/secrets/SHOP_TOKEN");

    const subscriber = await call("POST", "/flows", {
      body: {
        name: "Topic subscriber",
        graph: {
          version: 1,
          steps: [
            { id: "in", type: "trigger.topic", config: { topic: "api.events" } },
            { id: "wait", type: "flow.delay", config: { seconds: 0 } },
          ],
          edges: [{ from: "in", to: "wait", output: "out" }],
        },
      },
    });
    expect((await call("POST", `/flows/${subscriber.json.id}/publish`)).status).toBe(200);
    const topics = await step("GET", "/topics", "/topics");
    const topic = (topics.json.topics as { id: string; name: string }[]).find((t) => t.name === "api.events");
    expect(topic).toMatchObject({ depth: 0, subscribers: [{ flowName: "Topic subscriber", stepId: "in" }] });
    const limited = await step("PUT", "/topics/{topicId}", `/topics/${topic?.id}`, {
      maxDepth: 10,
      maxAgeSeconds: 600,
    });
    expect(limited.status).toBe(200);

    const rule = await callerFor({ env, user: seeded.owner }).security.create({
      workspaceId: seeded.workspace.id,
      name: "Partner key",
      type: "api_key",
      config: { in: "header", name: "x-api-key" },
    });
    const rules = await step("GET", "/security-rules", "/security-rules");
    expect(JSON.stringify(rules.json)).not.toContain(String(rule.secret));
    await step("GET", "/security-rules/{ruleId}/usage", `/security-rules/${rule.ruleId}/usage`);
    const key = await step("GET", "/key", "/key");
    expect(key.json).toMatchObject({ name: "editor", role: "editor", workspace: { slug: seeded.workspace.slug } });
    const hosts = await step(
      "PUT",
      "/allowed-hosts",
      "/allowed-hosts",
      { allowedHosts: ["db.internal:5432"] },
      keys.admin,
    );
    expect(hosts.json).toEqual({ allowedHosts: ["db.internal:5432"], operatorAllowedHosts: [] });
    expect((await step("GET", "/allowed-hosts", "/allowed-hosts")).json.allowedHosts).toEqual(["db.internal:5432"]);
    const members = await step("GET", "/members", "/members");
    expect(members.json.members).toContainEqual(expect.objectContaining({ email: seeded.owner.email, role: "owner" }));
    const alert = await step("POST", "/alert-rules", "/alert-rules", {
      name: "Failures to the pager",
      event: "run_failed",
      channel: "webhook",
      url: "https://pager.example.com/hooks/secret-path",
    });
    expect(alert.status).toBe(201);
    expect(String(alert.json.signingSecret)).toMatch(/^whsec_/);
    const alertRuleId = String((alert.json.rule as { id: string }).id);
    const alertRules = await step("GET", "/alert-rules", "/alert-rules");
    expect(JSON.stringify(alertRules.json)).not.toContain("secret-path");
    expect(JSON.stringify(alertRules.json)).not.toContain(String(alert.json.signingSecret));
    const changed = await step("PUT", "/alert-rules/{ruleId}", `/alert-rules/${alertRuleId}`, {
      name: "Failures by mail",
      event: "run_failed",
      channel: "email",
      emailTo: ["ops@example.com"],
      intervalSeconds: 300,
    });
    expect(changed.json.rule).toMatchObject({ channel: "email", emailTo: ["ops@example.com"], targetHint: null });
    expect((await step("POST", "/alert-rules/{ruleId}/test", `/alert-rules/${alertRuleId}/test`)).json).toEqual({
      queued: true,
    });
    await step("GET", "/alert-deliveries", `/alert-deliveries?ruleId=${alertRuleId}`);
    expect((await step("DELETE", "/alert-rules/{ruleId}", `/alert-rules/${alertRuleId}`)).status).toBe(200);
    const bundle = await step("GET", "/workspace/bundle", "/workspace/bundle", undefined, keys.admin);
    expect(bundle.json).toMatchObject({
      format: "tributary.workspace-bundle",
      settings: { allowedHosts: ["db.internal:5432"] },
    });
    const plan = await step("POST", "/workspace/bundle", "/workspace/bundle?dryRun=true", bundle.json, keys.admin);
    expect(plan.json).toMatchObject({ dryRun: true, notPublished: [] });
    expect(seen.size).toBe(OPERATIONS.length);
  });

  it("gives each key role exactly what the permission matrix allows", async () => {
    const { json } = await call("POST", "/flows", { body: { name: "Roles", graph: GRAPH } });
    const flowId = String(json.id);
    for (const operation of OPERATIONS) {
      const path = operation.path
        .replace("{flowId}", flowId)
        .replace("{runId}", "00000000-0000-7000-8000-000000000000")
        .replace("{connectionId}", "00000000-0000-4000-8000-000000000000")
        .replace("{ruleId}", "00000000-0000-4000-8000-000000000000")
        .replace("{name}", "NO_SUCH_SECRET");
      for (const role of KEY_ROLES) {
        // Keep the flow for the other rows.
        if (operation.id === "deleteFlow" && (role === "admin" || role === "editor")) continue;
        const body = operation.method === "POST" || operation.method === "PUT" ? {} : undefined;
        const answer = await call(operation.method, path, { key: keys[role], body });
        const forbidden = answer.status === 403;
        expect(forbidden, `${role} ${operation.method} ${operation.path}: ${answer.status}`).toBe(
          !can(role, operation.action),
        );
      }
    }
  });

  it("answers 404 for another workspace's flows, versions, runs and connections, and refuses calling its flows", async () => {
    const other = await seedWorkspace({ db: env.db });
    const stranger = callerFor({ env, user: other.owner });
    const foreignFlow = await stranger.flows.create({ workspaceId: other.workspace.id, name: "Theirs", graph: GRAPH });
    await stranger.flows.publish({ workspaceId: other.workspace.id, flowId: foreignFlow.id });
    const foreignRun = await stranger.runs.start({ workspaceId: other.workspace.id, flowId: foreignFlow.id, body: {} });
    const foreignConnection = await stranger.connections.save({
      workspaceId: other.workspace.id,
      name: "Theirs",
      type: "redis",
      config: { host: "redis.example.com" },
    });
    const ids: Record<string, string> = {
      "{flowId}": foreignFlow.id,
      "{runId}": foreignRun.runId,
      "{connectionId}": foreignConnection.id,
      "{ruleId}": "00000000-0000-4000-8000-000000000000",
      "{bulkRerunId}": "00000000-0000-4000-8000-000000000000",
      "{name}": "NO_SUCH_SECRET",
    };
    const withIds = (path: string) => path.replace(/\{\w+\}/g, (placeholder) => ids[placeholder] ?? placeholder);
    for (const operation of OPERATIONS.filter((op) => op.method === "GET" && op.path.includes("{"))) {
      const answer = await call("GET", withIds(operation.path));
      expect(answer.status, `GET ${operation.path}`).toBe(404);
      conforms(operation.path, "GET", answer);
    }
    for (const path of ["/flows/{flowId}/publish", "/flows/{flowId}/pause", "/runs/{runId}/cancel"]) {
      expect((await call("POST", withIds(path), { body: {} })).status, path).toBe(404);
    }
    expect(
      (
        await call("POST", "/connections/{connectionId}/test".replace("{connectionId}", foreignConnection.id), {
          body: {},
        })
      ).status,
    ).toBe(404);

    // A flow.call step may name only this workspace's flows: a validation problem, and no publish.
    const own = await call("POST", "/flows", { body: { name: "Callee", graph: GRAPH } });
    const calling = (flowId: string) => ({
      version: 1,
      steps: [
        { id: "start", type: "trigger.manual", config: {} },
        { id: "call", type: "flow.call", config: { flowId } },
      ],
      edges: [{ from: "start", to: "call", output: "out" }],
    });
    const ownProblems = await call("POST", "/flows/validate", { body: { graph: calling(String(own.json.id)) } });
    expect(ownProblems.json.problems).toEqual([]);
    const foreignProblems = await call("POST", "/flows/validate", { body: { graph: calling(foreignFlow.id) } });
    expect(foreignProblems.json.problems).toEqual([
      expect.objectContaining({ code: "unresolved_reference", stepId: "call", field: "flowId" }),
    ]);
    expect(JSON.stringify(foreignProblems.json.problems)).toMatch(
      /names the flow .*, which this workspace does not have/,
    );
    const caller = await call("POST", "/flows", { body: { name: "Caller", graph: calling(foreignFlow.id) } });
    const publish = await call("POST", `/flows/${String(caller.json.id)}/publish`, { body: {} });
    expect(publish.status).toBe(400);
    expect(JSON.stringify(publish.json)).toMatch(/names the flow .*, which this workspace does not have/);
  });

  it("answers a connection test whose secrets cannot be opened with a clear 412, and a re-entered secret mends it", async () => {
    const owner = callerFor({ env, user: seeded.owner });
    const { id } = await owner.connections.save({
      workspaceId: seeded.workspace.id,
      name: "Tampered cache",
      type: "redis",
      config: { host: "redis.example.com", password: "sealed-password" },
    });
    const admin = new pg.Client({ connectionString: env.databaseUrl });
    await admin.connect();
    try {
      // One flipped byte of the ciphertext: the integrity check fails.
      await admin.query(
        "UPDATE connections SET secret_config = overlay(secret_config placing decode('ff', 'hex') from 40 for 1) WHERE id = $1",
        [id],
      );
    } finally {
      await admin.end();
    }
    const tested = await call("POST", `/connections/${id}/test`, { body: {} });
    expect(tested.status).toBe(412);
    conforms("/connections/{connectionId}/test", "POST", tested);
    expect(tested.json.error).toMatchObject({
      code: "precondition_failed",
      message: expect.stringMatching(
        /The secret fields of the connection "Tampered cache" cannot be opened: .*integrity check.* enter them again/,
      ),
      details: { reason: "secret_unreadable", connectionId: id },
    });
    // The rest of the workspace answers as before.
    expect((await call("GET", "/connections")).status).toBe(200);
    // Entering the secret again replaces what could not be opened.
    await owner.connections.save({
      workspaceId: seeded.workspace.id,
      connectionId: id,
      name: "Tampered cache",
      type: "redis",
      config: { host: "redis.example.com", password: "entered-again" },
    });
    const mended = await call("POST", `/connections/${id}/test`, { body: {} });
    expect(mended.status).toBe(200);
  });

  it("refuses missing and wrong keys alike, names unknown paths and methods, and limits calls per minute", async () => {
    const missing = await call("GET", "/flows", { key: "" });
    const wrong = await call("GET", "/flows", { key: `${keys.viewer.slice(0, -2)}xx` });
    expect([missing.status, wrong.status]).toEqual([401, 401]);
    expect(wrong.json).toEqual(missing.json);
    conforms("/flows", "GET", missing);
    expect((await call("GET", "/nowhere")).status).toBe(404);
    const method = await call("DELETE", "/runs");
    expect(method.status).toBe(405);

    const ok = await call("GET", "/flows", { key: keys.viewer });
    expect(ok.headers.get("x-ratelimit-limit")).toBe("600");
    expect(Number(ok.headers.get("x-ratelimit-remaining"))).toBeLessThan(600);
    const keyId = (
      await callerFor({ env, user: seeded.owner }).apiKeys.list({ workspaceId: seeded.workspace.id })
    ).find((key) => key.name === "viewer")?.id;
    // This minute's calls and the next one's, so the test holds when a minute turns in between.
    const minute = Math.floor(Date.now() / 60_000);
    for (const at of [minute, minute + 1]) {
      await env.redis.set(`api:calls:${seeded.workspace.id}:${keyId}:${at}`, "600", "EX", 180);
    }
    const limited = await call("GET", "/flows", { key: keys.viewer });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);

    const bad = await call("POST", "/runs", { body: { flowId: "not-a-uuid" } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: "invalid_input" });
  });

  it("answers JSON when things break: a bad path encoding is a 400, an unreachable database a 503 to retry (an outage, not a bug to log)", async () => {
    const malformed = await call("GET", "/flows/%E0%A4%A/versions");
    expect(malformed.status).toBe(400);
    expect(malformed.json.error).toMatchObject({ code: "invalid_input" });

    const heard: string[] = [];
    const db = createDb({ url: "postgresql://postgres@127.0.0.1:1/unreachable" });
    try {
      const broken = restHandlerFor({
        env,
        db,
        clientIp: () => "192.0.2.1",
        onUnexpectedError: (_error, where) => heard.push(where),
      });
      const response = await broken(
        new Request("http://localhost/api/v1/flows", { headers: { authorization: `Bearer ${keys.viewer}` } }),
      );
      expect(response.status).toBe(503);
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await response.json()).toEqual({
        error: { code: "unavailable", message: expect.stringMatching(/cannot reach its database/) },
      });
      expect(heard).toEqual([]);
    } finally {
      await db.$disconnect();
    }
  });

  it("records every call in the audit log, by key", async () => {
    await call("GET", "/flows", { key: keys.operator });
    const { events } = await listAuditEvents({ db: env.db, workspaceId: seeded.workspace.id, limit: 20 });
    const last = events.find((event) => event.action === "api.call");
    expect(last).toMatchObject({ actorEmail: 'API key "operator"' });
    expect(last?.details).toMatchObject({ method: "GET", path: "/flows", status: 200 });
  });
});
