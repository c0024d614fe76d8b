// Private networks: a workspace's allowed hosts, changed through the REST API, take effect on the next run of a
// running worker (no restart); only owners and admins may change them, each change is audited, bad entries are
// refused by field; and OUTBOUND_ALLOWED_HOSTS lets every workspace (never a demo) reach the operator's hosts.
import type { createRestHandler } from "@tributary/api";
import { type Actor, DEMO_PLAN, listAuditEvents, startRun } from "@tributary/core";
import { scoped } from "@tributary/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { callerFor, outcome, restHandlerFor } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { type HttpTarget, json, startHttpTarget } from "../support/http-target.ts";
import { graph, publishedFlow, waitForRun } from "../support/run-helpers.ts";
import { startWorker, type WorkerProcess } from "../support/worker-process.ts";

const env = useTestEnvironment();
let worker: WorkerProcess;
/** The workspace's own private server, reachable only once the workspace allows it. */
let privateTarget: HttpTarget;
/** The operator's server, on another loopback address, allowed to every workspace by OUTBOUND_ALLOWED_HOSTS. */
let operatorTarget: HttpTarget;
let seeded: SeededWorkspace;
let handle: ReturnType<typeof createRestHandler>;
const keys = { admin: "", editor: "", viewer: "" };

beforeAll(async () => {
  privateTarget = await startHttpTarget();
  operatorTarget = await startHttpTarget({ host: "127.0.0.2" });
  for (const target of [privateTarget, operatorTarget]) {
    target.route("/ping", (_request, response) => json(response, 200, { pong: true }));
  }
  worker = await startWorker({
    databaseUrl: env.databaseUrl,
    redisPrefix: env.redisPrefix,
    env: { OUTBOUND_ALLOWED_HOSTS: "127.0.0.2/32, operator-db.internal" },
  });
  seeded = await seedWorkspace({ db: env.db, roles: ["admin", "editor", "viewer"] });
  handle = restHandlerFor({ env });
  const owner = callerFor({ env, user: seeded.owner });
  for (const role of ["admin", "editor", "viewer"] as const) {
    keys[role] = (await owner.apiKeys.create({ workspaceId: seeded.workspace.id, name: role, role })).key;
  }
});
afterAll(async () => {
  await worker?.stop();
  await privateTarget?.close();
  await operatorTarget?.close();
});

async function call(method: "GET" | "PUT", key: string, body?: unknown) {
  const response = await handle(
    new Request("http://localhost/api/v1/allowed-hosts", {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function ping(url: string, workspaceId = seeded.workspace.id, actor: Actor = seeded.owner.actor) {
  const flowId = await publishedFlow({
    db: env.db,
    workspaceId,
    actor,
    graph: graph(
      [
        ["start", "trigger.manual"],
        ["call", "http.request", { url: `${url}/ping` }],
      ],
      [["start", "call"]],
    ),
  });
  const { runId } = await startRun({ db: env.db, queue: env.queue, workspaceId, flowId, trigger: "manual", body: {} });
  return waitForRun({ db: env.db, workspaceId, runId });
}

describe("allowed hosts", () => {
  it("refuses a private server until an admin allows it through the API, and again once it is removed", async () => {
    const before = await ping(privateTarget.url);
    expect(before.status).toBe("failed");
    expect(before.error?.message).toMatch(/loopback address.*Settings → Allowed hosts/);
    expect(privateTarget.received).toHaveLength(0);

    const added = await call("PUT", keys.admin, { allowedHosts: ["127.0.0.1", "db.internal:5432"] });
    expect(added).toEqual({
      status: 200,
      json: { allowedHosts: ["127.0.0.1", "db.internal:5432"], operatorAllowedHosts: [] },
    });
    const allowed = await ping(privateTarget.url);
    expect(allowed.status).toBe("succeeded");
    expect(allowed.output?.body).toEqual({ pong: true });

    expect((await call("PUT", keys.admin, { allowedHosts: ["db.internal:5432"] })).status).toBe(200);
    const removed = await ping(privateTarget.url);
    expect(removed.status).toBe("failed");
    expect(removed.error?.message).toMatch(/loopback address/);
    expect(privateTarget.received).toHaveLength(1);

    const { events } = await listAuditEvents({ db: env.db, workspaceId: seeded.workspace.id, limit: 50 });
    const changes = events.filter((event) => event.action === "settings.changed");
    expect(changes.map((event) => event.details)).toEqual([
      expect.objectContaining({ allowedHostsAdded: [], allowedHostsRemoved: ["127.0.0.1"] }),
      expect.objectContaining({ allowedHostsAdded: ["127.0.0.1", "db.internal:5432"], allowedHostsRemoved: [] }),
    ]);
    expect(changes[0]?.actorEmail).toBe('API key "admin"');
  });

  it("lets viewers and editors read the allowed hosts but not change them, by key or in the app", async () => {
    expect((await call("GET", keys.viewer)).json.allowedHosts).toEqual(["db.internal:5432"]);
    for (const key of [keys.viewer, keys.editor]) {
      const refused = await call("PUT", key, { allowedHosts: ["10.0.0.0/8"] });
      expect(refused.status).toBe(403);
    }
    for (const role of ["viewer", "editor"] as const) {
      const member = callerFor({ env, user: seeded.members[role] ?? null });
      const change = member.settings.update({ workspaceId: seeded.workspace.id, allowedHosts: ["10.0.0.0/8"] });
      expect(await outcome(change)).toBe("FORBIDDEN");
    }
    const admin = callerFor({ env, user: seeded.members.admin ?? null });
    await admin.settings.update({ workspaceId: seeded.workspace.id, allowedHosts: ["10.0.0.0/8"] });
    expect((await call("GET", keys.viewer)).json.allowedHosts).toEqual(["10.0.0.0/8"]);
    const { events } = await listAuditEvents({ db: env.db, workspaceId: seeded.workspace.id, limit: 50 });
    expect(events.find((event) => event.action === "settings.changed")).toMatchObject({
      action: "settings.changed",
      actorEmail: seeded.members.admin?.email,
      details: { allowedHostsAdded: ["10.0.0.0/8"], allowedHostsRemoved: ["db.internal:5432"] },
    });
  });

  it("refuses entries that are not hosts, addresses or ranges with 400, naming the field", async () => {
    for (const [entry, reason] of [
      ["10.0.0.0/33", /not a CIDR range/],
      ["https://db.internal", /write only its host/],
      ["db.internal:70000", /port/],
      ["0.0.0.0/0", /every address/],
    ] as const) {
      const refused = await call("PUT", keys.admin, { allowedHosts: ["db.internal", entry] });
      expect(refused.status, entry).toBe(400);
      const { details } = refused.json.error as { details: { fields: { path: string; message: string }[] } };
      expect(details.fields).toEqual([{ path: "allowedHosts.1", message: expect.stringMatching(reason) }]);
    }
    expect((await call("GET", keys.admin)).json.allowedHosts).toEqual(["10.0.0.0/8"]);
  });

  it("lets every workspace reach the hosts in OUTBOUND_ALLOWED_HOSTS, but not a demo", async () => {
    const other = await seedWorkspace({ db: env.db });
    const reached = await ping(operatorTarget.url, other.workspace.id, other.owner.actor);
    expect(reached.status).toBe("succeeded");
    expect(reached.output?.body).toEqual({ pong: true });
    const stillPrivate = await ping(privateTarget.url, other.workspace.id, other.owner.actor);
    expect(stillPrivate.status).toBe("failed");

    const demo = await seedWorkspace({ db: env.db });
    await scoped(env.db, { workspaceId: demo.workspace.id }, (tx) =>
      tx.workspace.update({ where: { id: demo.workspace.id }, data: { planId: DEMO_PLAN } }),
    );
    const refused = await ping(operatorTarget.url, demo.workspace.id, demo.owner.actor);
    expect(refused.status).toBe("failed");
    expect(refused.error?.message).toMatch(/plan may call only/);
    expect(operatorTarget.received).toHaveLength(1);
  });
});
