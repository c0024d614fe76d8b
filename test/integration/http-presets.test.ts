// Slack, Telegram and GraphQL steps against a real HTTP server standing in for the services (their API address
// is a setting), run by a real worker: what each sends, and how each service's refusals read.
import { createSecretBox, setSecret } from "@tributary/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useConnectorHarness } from "../support/connector-harness.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { type HttpTarget, json, startHttpTarget } from "../support/http-target.ts";
import { graph } from "../support/run-helpers.ts";
import { TEST_ENCRYPTION_KEY } from "../support/worker-process.ts";

const env = useTestEnvironment();
const harness = useConnectorHarness(env);
let target: HttpTarget;
const manual: [string, string] = ["start", "trigger.manual"];
const one = (type: string, config: Record<string, unknown>, body?: unknown) =>
  harness.runFlow(graph([manual, ["call", type, config]], [["start", "call"]]), body);

beforeAll(async () => {
  target = await startHttpTarget();
  await setSecret({
    db: env.db,
    secretBox: createSecretBox({ currentKey: TEST_ENCRYPTION_KEY }),
    workspaceId: harness.workspaceId,
    actor: harness.actor,
    name: "BOT_TOKEN",
    value: "xoxb-very-secret",
  });
});
afterAll(async () => {
  await target?.close();
});

describe("Slack", () => {
  it("posts through an incoming webhook, and with a bot token to a channel", async () => {
    target.route("/hooks/T1/B2", (_request, response) => response.writeHead(200).end("ok"));
    const hooked = await one(
      "slack.message",
      { webhookUrl: `${target.url}/hooks/T1/B2`, text: "Order {{ id }} paid" },
      { id: "A-1" },
    );
    expect(hooked.status).toBe("succeeded");
    expect(JSON.parse(target.received.at(-1)?.body ?? "{}")).toEqual({ text: "Order A-1 paid" });

    target.route("/api/chat.postMessage", (request, response) => {
      const sent = JSON.parse(request.body) as { channel: string };
      if (request.headers.authorization !== "Bearer xoxb-very-secret")
        return json(response, 200, { ok: false, error: "invalid_auth" });
      if (sent.channel !== "#orders") return json(response, 200, { ok: false, error: "channel_not_found" });
      json(response, 200, { ok: true, ts: "1700000000.0001", channel: "C01" });
    });
    const bot = {
      via: "bot",
      token: "{{ $secrets.BOT_TOKEN }}",
      apiBase: `${target.url}/api`,
      text: "hi",
      resultField: "slack",
    };
    const posted = await one("slack.message", { ...bot, channel: "#orders" });
    expect(posted.output?.body).toEqual({ slack: { ok: true, ts: "1700000000.0001", channel: "C01" } });
    const refused = await one("slack.message", { ...bot, channel: "#nowhere" });
    expect(refused.status).toBe("failed");
    expect(refused.error?.message).toBe("Slack refused the message: channel_not_found.");
    expect(JSON.stringify(refused)).not.toContain("xoxb-very-secret");
  });
});

describe("Telegram", () => {
  it("sends with a bot token, and reads Telegram's refusals", async () => {
    target.route("/botTOKEN123/sendMessage", (request, response) => {
      const sent = JSON.parse(request.body) as { chat_id: string; text: string; parse_mode?: string };
      if (sent.chat_id !== "42")
        return json(response, 400, { ok: false, error_code: 400, description: "Bad Request: chat not found" });
      json(response, 200, { ok: true, result: { message_id: 7, text: sent.text } });
    });
    const config = {
      token: "TOKEN123",
      apiBase: target.url,
      text: "<b>{{ id }}</b> shipped",
      parseMode: "HTML",
      resultField: "sent",
    };
    const sent = await one("telegram.message", { ...config, chatId: "42" }, { id: "A-2" });
    expect(sent.output?.body).toEqual({ id: "A-2", sent: { messageId: 7 } });
    expect(JSON.parse(target.received.at(-1)?.body ?? "{}")).toMatchObject({
      chat_id: "42",
      text: "<b>A-2</b> shipped",
      parse_mode: "HTML",
    });
    const refused = await one("telegram.message", { ...config, chatId: "13" }, { id: "A-2" });
    expect(refused.error?.message).toBe("Telegram refused the message: Bad Request: chat not found.");
  });
});

describe("GraphQL", () => {
  it("queries with variables; errors in the answer fail the step", async () => {
    target.route("/graphql", (request, response) => {
      const { query, variables } = JSON.parse(request.body) as { query: string; variables: { id: string } };
      if (query.includes("broken"))
        return json(response, 200, { errors: [{ message: 'Cannot query field "broken"' }] });
      json(response, 200, { data: { order: { id: variables.id, total: 12.5 } } });
    });
    const url = `${target.url}/graphql`;
    const ok = await one(
      "graphql.query",
      { url, query: "query ($id: ID!) { order(id: $id) { id total } }", variables: { id: "{{ id }}" } },
      { id: "A-3" },
    );
    expect(ok.output?.body).toEqual({ order: { id: "A-3", total: 12.5 } });
    const bad = await one("graphql.query", { url, query: "{ broken }" });
    expect(bad.status).toBe("failed");
    expect(bad.error?.message).toBe('GraphQL: Cannot query field "broken"');
  });
});
