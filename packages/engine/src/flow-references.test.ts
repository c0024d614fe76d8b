import { describe, expect, it } from "vitest";
import { z } from "zod";
import { catalogOf } from "./catalog.ts";
import type { FlowGraph } from "./flow-graph.ts";
import { nameReferences, type ReferenceDirectory, resolveReferences } from "./flow-references.ts";

const catalog = catalogOf([
  {
    type: "hook",
    kind: "trigger",
    title: "Hook",
    description: "",
    category: "test",
    config: z.object({}).loose(),
    outputs: () => ["out"],
    references: [{ field: "securityRuleIds", kind: "securityRule", many: true }],
  },
  {
    type: "query",
    kind: "action",
    title: "Query",
    description: "",
    category: "test",
    config: z.object({}).loose(),
    outputs: () => ["out"],
    references: [{ field: "connectionId", kind: "connection", many: false }],
  },
]);

const ID = {
  db: "0196f6c2-0000-7000-8000-000000000001",
  rule: "0196f6c2-0000-7000-8000-000000000002",
  foreign: "0196f6c2-0000-7000-8000-0000000000ff",
};
const directory: ReferenceDirectory = {
  connection: [{ id: ID.db, name: "orders-db" }],
  securityRule: [{ id: ID.rule, name: "partners" }],
  flow: [],
  secret: ["TOKEN"],
};

const graphWith = (connectionId: string, rules: string[], sql = "SELECT 1"): FlowGraph => ({
  version: 1,
  steps: [
    { id: "in", type: "hook", config: { securityRuleIds: rules } },
    { id: "q", type: "query", name: "Insert order", config: { connectionId, sql } },
  ],
  edges: [{ from: "in", output: "out", to: "q" }],
});

describe("references", () => {
  it("names ids for a file and resolves the names back to this workspace's ids", () => {
    const named = nameReferences({ graph: graphWith(ID.db, [ID.rule]), catalog, directory });
    expect(named).toEqual(graphWith("orders-db", ["partners"]));
    expect(resolveReferences({ graph: named, catalog, directory })).toEqual({
      graph: graphWith(ID.db, [ID.rule]),
      unresolved: [],
    });
  });

  it("names what does not resolve: a missing name, another workspace's id, a missing secret", () => {
    const { unresolved } = resolveReferences({
      graph: graphWith(ID.foreign, ["partners", "auditors"], "SELECT '{{ $secrets.TOKEN }}', '{{ $secrets.OTHER }}'"),
      catalog,
      directory,
    });
    expect(unresolved.map((reference) => reference.message)).toEqual([
      'The step "in" names the security rule "auditors", which this workspace does not have. Create it or rename the reference.',
      `The step "Insert order" names the connection "${ID.foreign}", which this workspace does not have. Create it or rename the reference.`,
      'The step "Insert order" names the secret "OTHER", which this workspace does not have. Set it (Secrets page or `tributary secrets set`) or rename the reference.',
    ]);
  });

  it("refuses a name that several things share", () => {
    const { unresolved } = resolveReferences({
      graph: graphWith("orders-db", []),
      catalog,
      directory: { ...directory, connection: [...directory.connection, { id: ID.foreign, name: "orders-db" }] },
    });
    expect(unresolved.map((reference) => reference.message)).toEqual([
      'The step "Insert order" names the connection "orders-db", and this workspace has 2 connections of that name: rename all but one.',
    ]);
  });
});
