// The Flows list of a workspace with more flows than a page: paged by cursor in name order without gaps or
// repeats, searched by name on the server, filtered by state — through tRPC and the REST API alike.
import { createFlow, publishFlow, setFlowStatus } from "@tributary/core";
import { beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { callerFor, restHandlerFor } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";

const env = useTestEnvironment();
const GRAPH = { version: 1, steps: [{ id: "start", type: "trigger.manual", config: {} }], edges: [] };
const NUMBERED = 120;
let seeded: SeededWorkspace;
let key = "";
let published: string[] = [];

beforeAll(async () => {
  seeded = await seedWorkspace({ db: env.db });
  const ctx = { db: env.db, workspaceId: seeded.workspace.id, actor: seeded.owner.actor };
  for (let n = 1; n <= NUMBERED; n++) {
    await createFlow({ ...ctx, name: `Flow ${String(n).padStart(3, "0")}`, description: "", graph: GRAPH });
  }
  // Two flows of one name: the cursor (name and id) must not lose either.
  published = [];
  for (const name of ["Invoices to the ERP", "Invoices to the ERP"]) {
    const { id } = await createFlow({ ...ctx, name, description: "", graph: GRAPH });
    await publishFlow({ ...ctx, flowId: id });
    published.push(id);
  }
  await setFlowStatus({ ...ctx, flowId: published[1] ?? "", status: "paused" });
  const owner = callerFor({ env, user: seeded.owner });
  key = (await owner.apiKeys.create({ workspaceId: seeded.workspace.id, name: "viewer", role: "viewer" })).key;
});

describe("the Flows list", () => {
  it("pages every flow once, in name order, by cursor", async () => {
    const caller = callerFor({ env, user: seeded.owner });
    const names: string[] = [];
    const ids = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await caller.flows.list({
        workspaceId: seeded.workspace.id,
        limit: 50,
        ...(cursor ? { cursor } : {}),
      });
      pages++;
      expect(page.flows.length).toBeLessThanOrEqual(50);
      for (const flow of page.flows) {
        names.push(flow.name);
        ids.add(flow.id);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(pages).toBe(3);
    expect(ids.size).toBe(NUMBERED + 2);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(names.slice(0, 2)).toEqual(["Flow 001", "Flow 002"]);
    expect(names.slice(-2)).toEqual(["Invoices to the ERP", "Invoices to the ERP"]);
  });

  it("searches by name on the server, whatever the case, and filters by state", async () => {
    const caller = callerFor({ env, user: seeded.owner });
    const list = (input: { search?: string; state?: "active" | "paused" | "draft" }) =>
      caller.flows.list({ workspaceId: seeded.workspace.id, ...input });
    const invoices = await list({ search: "invoices to" });
    expect(invoices.flows.map((flow) => flow.id).sort()).toEqual([...published].sort());
    expect((await list({ search: "flow 11" })).flows.map((flow) => flow.name)).toEqual([
      "Flow 110",
      "Flow 111",
      "Flow 112",
      "Flow 113",
      "Flow 114",
      "Flow 115",
      "Flow 116",
      "Flow 117",
      "Flow 118",
      "Flow 119",
    ]);
    expect((await list({ search: "no such flow" })).flows).toEqual([]);
    expect((await list({ state: "active" })).flows.map((flow) => flow.id)).toEqual([published[0]]);
    expect((await list({ state: "paused" })).flows.map((flow) => flow.id)).toEqual([published[1]]);
    const drafts = await list({ state: "draft" });
    expect(drafts.flows).toHaveLength(50);
    expect(drafts.nextCursor).not.toBeNull();
  });

  it("pages and searches through REST with `cursor` and `search`, and refuses a cursor it did not give", async () => {
    const handle = restHandlerFor({ env });
    const get = async (query: string) => {
      const response = await handle(
        new Request(`http://localhost/api/v1/flows${query}`, { headers: { authorization: `Bearer ${key}` } }),
      );
      return {
        status: response.status,
        json: (await response.json()) as { flows: { name: string }[]; nextCursor: string | null },
      };
    };
    const first = await get("?limit=100");
    expect(first.status).toBe(200);
    expect(first.json.flows).toHaveLength(100);
    const second = await get(`?limit=100&cursor=${encodeURIComponent(first.json.nextCursor ?? "")}`);
    expect(second.json.flows.map((flow) => flow.name)).toEqual([
      ...Array.from({ length: NUMBERED - 100 }, (_, i) => `Flow ${String(101 + i)}`),
      "Invoices to the ERP",
      "Invoices to the ERP",
    ]);
    expect(second.json.nextCursor).toBeNull();
    expect((await get("?search=INVOICES")).json.flows).toHaveLength(2);
    expect((await get("?cursor=not-a-cursor")).status).toBe(400);
  });
});
