// The audit log names what changed (the flow, the secret, the API key), not only ids, and filters by action,
// actor and time.
import { listAuditEvents } from "@tributary/core";
import { beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { callerFor } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";

const env = useTestEnvironment();
let seeded: SeededWorkspace;

beforeAll(async () => {
  seeded = await seedWorkspace({ db: env.db, roles: ["editor"] });
});

describe("audit log", () => {
  it("names the flow, secret and API key each event is about, and filters by action, actor and time", async () => {
    const workspaceId = seeded.workspace.id;
    const owner = callerFor({ env, user: seeded.owner });
    const editorUser = seeded.members.editor;
    if (!editorUser) throw new Error("the editor was not seeded");
    const editor = callerFor({ env, user: editorUser });
    const started = new Date();

    const flow = await editor.flows.create({
      workspaceId,
      name: "Order intake",
      graph: {
        version: 1,
        steps: [{ id: "hook", type: "trigger.webhook", config: { path: "audit-orders" } }],
        edges: [],
      },
    });
    await owner.flows.publish({ workspaceId, flowId: flow.id });
    await owner.secrets.set({ workspaceId, name: "STRIPE_KEY", value: "sk_test_1" });
    const key = await owner.apiKeys.create({ workspaceId, name: "Deploy bot", role: "operator" });
    await owner.apiKeys.revoke({ workspaceId, keyId: key.id });

    const all = await owner.audit.list({ workspaceId, limit: 50 });
    const named = Object.fromEntries(all.events.map((event) => [event.action, event.targetName]));
    expect(named).toMatchObject({
      "flow.created": "Order intake",
      "flow.published": "Order intake",
      "secret.saved": "STRIPE_KEY",
      "api_key.created": "Deploy bot",
      "api_key.revoked": "Deploy bot",
    });

    const published = await owner.audit.list({ workspaceId, action: "flow.published" });
    expect(published.events.map((event) => event.action)).toEqual(["flow.published"]);

    const byEditor = await owner.audit.list({ workspaceId, actor: editorUser.email.toUpperCase() });
    expect(byEditor.events.map((event) => event.action)).toEqual(["flow.created"]);

    const before = await listAuditEvents({ db: env.db, workspaceId, until: started });
    expect(before.events.map((event) => event.action)).toEqual(["workspace.created"]);
    const after = await listAuditEvents({ db: env.db, workspaceId, since: started });
    expect(after.events.map((event) => event.action)).not.toContain("workspace.created");
  });
});
