// Webhook security rules end to end: rules made with the core functions, calls through the real ingress,
// Postgres and Redis. Right, wrong, missing, replayed and expired credentials; rotation; IPv4 and IPv6;
// domains; failure counts; secrets sealed at rest; deleting a rule in use.
import { createHmac } from "node:crypto";
import {
  createSecretBox,
  createSecurityRule,
  deleteSecurityRule,
  listSecurityRules,
  removeSigningSecret,
  rotateRuleSecret,
} from "@tributary/core";
import { scoped } from "@tributary/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph, publishedFlow } from "../support/run-helpers.ts";
import { type Call, standardWebhookHeaders, webhookHarness } from "../support/webhook-harness.ts";
import { TEST_ENCRYPTION_KEY } from "../support/worker-process.ts";

const env = useTestEnvironment();
const secretBox = createSecretBox({ currentKey: TEST_ENCRYPTION_KEY });
let hooks: ReturnType<typeof webhookHarness>;
let seeded: SeededWorkspace;
let paths = 0;

beforeAll(async () => {
  hooks = webhookHarness(env);
  seeded = await seedWorkspace({ db: env.db });
});
afterAll(() => hooks?.close());

const ctx = () => ({ db: env.db, secretBox, workspaceId: seeded.workspace.id, actor: seeded.owner.actor });

type RuleSpec = { type: "basic" | "api_key" | "hmac_standard" | "hmac_header" | "ip_allow"; config?: object };

async function rule(
  { type, config = {} }: RuleSpec,
  { domain = "default", secret }: { domain?: string; secret?: string } = {},
) {
  return createSecurityRule({
    ...ctx(),
    name: `${type} ${Math.random().toString(36).slice(2, 8)}`,
    domain,
    type,
    config: config as Record<string, unknown>,
    ...(secret ? { secret } : {}),
  });
}

/** Publishes a webhook guarded by the rules and answers a caller of its URL. */
async function guarded(ruleIds: string[]) {
  const path = `guarded-${++paths}`;
  await publishedFlow({
    db: env.db,
    workspaceId: seeded.workspace.id,
    actor: seeded.owner.actor,
    graph: graph([["hook", "trigger.webhook", { path, methods: ["POST"], securityRuleIds: ruleIds }]], []),
  });
  return (call: Call = {}, query = "") =>
    hooks.call(`/hooks/${seeded.workspace.slug}/${path}${query}`, { body: '{"order":1}', ...call });
}

const basicAuth = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
});

describe("security rules", () => {
  it("basic auth: the right password passes; a wrong or missing one gets the same 401; a new password retires the old", async () => {
    const created = await rule({ type: "basic", config: { username: "shop" } });
    const call = await guarded([created.ruleId]);
    expect((await call({ headers: basicAuth("shop", String(created.secret)) })).status).toBe(202);
    const wrong = await call({ headers: basicAuth("shop", "guess") });
    const wrongUser = await call({ headers: basicAuth("admin", String(created.secret)) });
    const missing = await call();
    expect([wrong.status, wrongUser.status, missing.status]).toEqual([401, 401, 401]);
    expect(wrong.text).toBe(missing.text);
    expect(wrongUser.text).toBe(missing.text);
    const path = `guarded-${paths}`;
    for (const refused of [wrong, wrongUser, missing]) {
      expect(refused.headers.get("www-authenticate")).toBe(`Basic realm="${seeded.workspace.slug}/${path}"`);
    }

    const regenerated = await rotateRuleSecret({ ...ctx(), ruleId: created.ruleId, keepPrevious: true });
    expect((await call({ headers: basicAuth("shop", String(created.secret)) })).status).toBe(401);
    expect((await call({ headers: basicAuth("shop", String(regenerated.secret)) })).status).toBe(202);
  });

  it("API key in a header or in a query parameter", async () => {
    const inHeader = await rule({ type: "api_key", config: { in: "header", name: "X-Partner-Key" } });
    const callHeader = await guarded([inHeader.ruleId]);
    expect((await callHeader({ headers: { "x-partner-key": String(inHeader.secret) } })).status).toBe(202);
    const wrong = await callHeader({ headers: { "x-partner-key": `${inHeader.secret}x` } });
    const missing = await callHeader();
    expect([wrong.status, missing.status]).toEqual([401, 401]);
    expect(wrong.text).toBe(missing.text);
    // No Basic rule failed: no challenge that would make a browser prompt for a password.
    expect(missing.headers.get("www-authenticate")).toBeNull();

    const inQuery = await rule({ type: "api_key", config: { in: "query", name: "key" } });
    const callQuery = await guarded([inQuery.ruleId]);
    expect((await callQuery({}, `?key=${encodeURIComponent(String(inQuery.secret))}`)).status).toBe(202);
    expect((await callQuery({}, "?key=nope")).status).toBe(401);
    // The key in a header is not the key in the query.
    expect((await callQuery({ headers: { key: String(inQuery.secret) } })).status).toBe(401);
  });

  it("Standard Webhooks: right, wrong, missing, expired, future and replayed signatures", async () => {
    const created = await rule({ type: "hmac_standard" });
    const call = await guarded([created.ruleId]);
    const body = '{"order":1}';
    const secret = String(created.secret);
    const signed = (id: string, timestamp?: number) => ({
      body,
      headers: {
        "content-type": "application/json",
        ...standardWebhookHeaders({ secret, id, body, ...(timestamp ? { timestamp } : {}) }),
      },
    });
    const now = Math.floor(Date.now() / 1000);

    const first = await call(signed("msg_1"));
    expect(first.status).toBe(202);
    const tampered = await call({ ...signed("msg_2"), body: '{"order":2}' });
    const otherSecret = await call({
      body,
      headers: standardWebhookHeaders({ secret: `whsec_${Buffer.alloc(32, 7).toString("base64")}`, id: "msg_3", body }),
    });
    const missing = await call({ body });
    const expired = await call(signed("msg_4", now - 6 * 60));
    const future = await call(signed("msg_5", now + 6 * 60));
    for (const refused of [tampered, otherSecret, missing, expired, future]) {
      expect(refused.status).toBe(401);
      expect(refused.text).toBe(missing.text);
    }
    // Within the tolerance, a replay of the same message id answers the first call's answer and starts nothing.
    const replayed = await call(signed("msg_1"));
    expect(replayed.status).toBe(202);
    expect(replayed.json.runId).toBe(first.json.runId);
  });

  it("rotation: old and new signing secrets both pass until the old one is removed", async () => {
    const created = await rule({ type: "hmac_standard" });
    const call = await guarded([created.ruleId]);
    const body = '{"order":1}';
    const send = (secret: string, id: string) =>
      call({ body, headers: standardWebhookHeaders({ secret, id, body }) }).then((r) => r.status);
    const oldSecret = String(created.secret);
    const rotated = await rotateRuleSecret({ ...ctx(), ruleId: created.ruleId, keepPrevious: true });
    const newSecret = String(rotated.secret);
    expect(await send(oldSecret, "a1")).toBe(202);
    expect(await send(newSecret, "a2")).toBe(202);

    const [view] = (await listSecurityRules({ ...ctx(), redis: env.redis })).filter((r) => r.id === created.ruleId);
    expect(view?.secrets).toHaveLength(2);
    await removeSigningSecret({ ...ctx(), ruleId: created.ruleId, label: `…${oldSecret.slice(-4)}` });
    expect(await send(oldSecret, "a3")).toBe(401);
    expect(await send(newSecret, "a4")).toBe(202);
    await expect(
      removeSigningSecret({ ...ctx(), ruleId: created.ruleId, label: `…${newSecret.slice(-4)}` }),
    ).rejects.toThrow(/needs one secret/);
  });

  it("header signatures (GitHub/Stripe style) over the raw body, hex or base64", async () => {
    const senderSecret = "github-webhook-secret-0123456789";
    const hex = await rule(
      { type: "hmac_header", config: { header: "X-Hub-Signature-256", prefix: "sha256=", encoding: "hex" } },
      { secret: senderSecret },
    );
    expect(hex.secret).toBeNull();
    const call = await guarded([hex.ruleId]);
    const body = '{"action":"opened"}';
    const digest = createHmac("sha256", senderSecret).update(body).digest("hex");
    expect((await call({ body, headers: { "x-hub-signature-256": `sha256=${digest}` } })).status).toBe(202);
    expect((await call({ body: `${body} `, headers: { "x-hub-signature-256": `sha256=${digest}` } })).status).toBe(401);
    expect((await call({ body, headers: { "x-hub-signature-256": digest } })).status).toBe(401);
    expect((await call({ body })).status).toBe(401);

    const base64 = await rule({
      type: "hmac_header",
      config: { header: "X-Signature", prefix: "", encoding: "base64" },
    });
    const call64 = await guarded([base64.ruleId]);
    const signature = createHmac("sha256", String(base64.secret)).update(body).digest("base64");
    expect((await call64({ body, headers: { "x-signature": signature } })).status).toBe(202);
  });

  it("IP allow-lists with IPv4 and IPv6 ranges, and IPv4-mapped IPv6 addresses", async () => {
    const created = await rule({
      type: "ip_allow",
      config: { cidrs: ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"] },
    });
    const call = await guarded([created.ruleId]);
    const from = async (ip: string) => (await call({ ip })).status;
    expect(await from("203.0.113.44")).toBe(202);
    expect(await from("::ffff:203.0.113.45")).toBe(202);
    expect(await from("2001:db8:1::5")).toBe(202);
    expect(await from("198.51.100.7")).toBe(202);
    expect(await from("198.51.100.8")).toBe(401);
    expect(await from("203.0.114.1")).toBe(401);
    expect(await from("2001:db9::1")).toBe(401);
    expect(await from("not-an-ip")).toBe(401);
  });

  it("domains: rules in one domain are alternatives, domains are all required", async () => {
    const key = await rule({ type: "api_key", config: { name: "X-Key" } }, { domain: "auth" });
    const password = await rule({ type: "basic", config: { username: "partner" } }, { domain: "auth" });
    const office = await rule({ type: "ip_allow", config: { cidrs: ["192.0.2.0/24"] } }, { domain: "network" });
    const call = await guarded([key.ruleId, password.ruleId, office.ruleId]);
    const withKey = { "x-key": String(key.secret) };
    const withPassword = basicAuth("partner", String(password.secret));
    expect((await call({ headers: withKey, ip: "192.0.2.10" })).status).toBe(202);
    expect((await call({ headers: withPassword, ip: "192.0.2.10" })).status).toBe(202);
    expect((await call({ headers: withKey, ip: "198.51.100.1" })).status).toBe(401);
    expect((await call({ ip: "192.0.2.10" })).status).toBe(401);
  });

  it("counts failed checks per rule for admins, and keeps secrets sealed at rest", async () => {
    const created = await rule({ type: "api_key", config: { name: "X-Count" } });
    const call = await guarded([created.ruleId]);
    for (let i = 0; i < 3; i++) await call({ headers: { "x-count": "wrong" } });
    await call({ headers: { "x-count": String(created.secret) } });
    // The counter is written after the answer; give it a moment.
    let view: Awaited<ReturnType<typeof listSecurityRules>>[number] | undefined;
    for (let attempt = 0; attempt < 20 && (view?.failures ?? 0) < 3; attempt++) {
      view = (await listSecurityRules({ ...ctx(), redis: env.redis })).find((r) => r.id === created.ruleId);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(view?.failures).toBe(3);
    expect(view?.lastFailureAt).toBeTruthy();

    const row = await scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
      tx.securityRule.findUniqueOrThrow({ where: { id: created.ruleId } }),
    );
    expect(Buffer.from(row.secret ?? []).toString("latin1")).not.toContain(String(created.secret));
    expect(JSON.stringify(row.config)).not.toContain(String(created.secret));
  });

  it("deleting a rule in use asks first and names the webhooks it guards; a webhook left without its rules refuses", async () => {
    const created = await rule({ type: "api_key", config: { name: "X-Gone" } });
    const call = await guarded([created.ruleId]);
    await expect(deleteSecurityRule({ ...ctx(), ruleId: created.ruleId, confirmInUse: false })).rejects.toThrow(
      /guards the webhooks of "Test flow" \(hook\)/,
    );
    expect((await call({ headers: { "x-gone": String(created.secret) } })).status).toBe(202);
    await deleteSecurityRule({ ...ctx(), ruleId: created.ruleId, confirmInUse: true });
    // Never open by accident: with all its rules gone, the webhook refuses every call.
    expect((await call({ headers: { "x-gone": String(created.secret) } })).status).toBe(401);
  });
});
