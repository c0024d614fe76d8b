// Flow versions prepared once per process: runs that find a version missing at the same moment share one read.
import type { Db } from "@tributary/core";
import { scoped } from "@tributary/db";
import { describe, expect, it } from "vitest";
import { seedWorkspace } from "../../../test/factories/seed.ts";
import { useTestEnvironment } from "../../../test/support/environment.ts";
import { graph, publishedFlow } from "../../../test/support/run-helpers.ts";
import { createPreparedFlows } from "./prepared-flows.ts";

const env = useTestEnvironment();

describe("prepared flows", () => {
  it("reads a version once for the runs that ask for it together, and again after a failed read", async () => {
    const { workspace, owner } = await seedWorkspace({ db: env.db });
    const flowId = await publishedFlow({
      db: env.db,
      workspaceId: workspace.id,
      actor: owner.actor,
      graph: graph(
        [
          ["hook", "trigger.webhook", { path: "prepared", methods: ["POST"] }],
          ["price", "data.transform", { expression: "{ 'total': qty * price }" }],
        ],
        [["hook", "price"]],
      ),
    });
    const flow = await scoped(env.db, { workspaceId: workspace.id }, (tx) =>
      tx.flow.findFirstOrThrow({ where: { id: flowId } }),
    );
    const versionId = flow.currentVersionId as string;
    // The real database, watched: every read of a version is a transaction of its own.
    let transactions = 0;
    const watched = new Proxy(env.db, {
      get(target, property, receiver) {
        if (property === "$transaction") transactions++;
        return Reflect.get(target, property, receiver);
      },
    }) as Db;
    const preparedFlow = createPreparedFlows({ db: watched });

    const entries = await Promise.all(
      Array.from({ length: 20 }, () => preparedFlow({ workspaceId: workspace.id, versionId })),
    );
    expect(transactions).toBe(1);
    expect(new Set(entries).size).toBe(1);
    expect([...(entries[0]?.flow.steps.keys() ?? [])].sort()).toEqual(["hook", "price"]);

    const missing = "00000000-0000-7000-8000-000000000000";
    await expect(preparedFlow({ workspaceId: workspace.id, versionId: missing })).rejects.toThrow();
    await expect(preparedFlow({ workspaceId: workspace.id, versionId: missing })).rejects.toThrow();
    expect(transactions).toBe(3);
  });
});
