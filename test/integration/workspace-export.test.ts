// Workspace export: only an owner starts one; the archive (docs/workspace-export.md) holds the flows with
// their versions, every run with its steps, the audit log and the members, written page by page with progress.
import { claimExport, exportWorkspace } from "@tributary/core";
import { scoped } from "@tributary/db";
import { strFromU8, unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { seedWorkspace } from "../factories/seed.ts";
import { callerFor, outcome } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";

const env = useTestEnvironment();
const RUNS = 450;

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe("workspace export", () => {
  it("lets only an owner export, and writes every run with its steps, the versions, the audit log and the members", async () => {
    const seeded = await seedWorkspace({ db: env.db, roles: ["admin"] });
    const workspaceId = seeded.workspace.id;
    const admin = seeded.members.admin;
    if (!admin) throw new Error("no admin");
    await expect(outcome(callerFor({ env, user: admin }).exports.start({ workspaceId }))).resolves.toBe("FORBIDDEN");

    await scoped(
      env.db,
      { workspaceId },
      async (tx) => {
        const flow = await tx.flow.create({ data: { workspaceId, name: "Orders", draft: { steps: [] } } });
        const version = await tx.flowVersion.create({
          data: { workspaceId, flowId: flow.id, number: 1, graph: { steps: ["v1"] } },
        });
        await tx.flowVersion.create({ data: { workspaceId, flowId: flow.id, number: 2, graph: { steps: ["v2"] } } });
        for (let i = 0; i < RUNS; i++) {
          await tx.run.create({
            data: {
              workspaceId,
              flowId: flow.id,
              flowVersionId: version.id,
              status: "succeeded",
              trigger: "manual",
              triggerStepId: "start",
              messageId: `m-${i}`,
              input: { order: i },
              steps: {
                create: {
                  workspaceId,
                  activationKey: "start",
                  stepId: "start",
                  stepType: "trigger.manual",
                  status: "succeeded",
                  startedAt: new Date(),
                  finishedAt: new Date(),
                  durationMs: 1,
                },
              },
            },
          });
        }
      },
      { timeoutMs: 120_000 },
    );

    const owner = callerFor({ env, user: seeded.owner });
    const { exportId, downloadUrl } = await owner.exports.start({ workspaceId });
    expect(downloadUrl).toBe(`/api/exports/${exportId}`);
    await expect(outcome(callerFor({ env, user: admin }).exports.progress({ exportId }))).resolves.toBe("NOT_FOUND");
    const claimed = await claimExport({ redis: env.redis, exportId, userId: seeded.owner.id });
    await expect(claimExport({ redis: env.redis, exportId, userId: seeded.owner.id })).rejects.toThrow(
      /already downloaded/,
    );

    const seen: number[] = [];
    const archive = unzipSync(
      await collect(
        exportWorkspace({
          db: env.db,
          workspaceId,
          onProgress: async (progress) => {
            seen.push(progress.runsDone);
            await claimed.progress(progress);
          },
        }),
      ),
    );
    await claimed.finish("done");
    expect(seen).toEqual([0, 200, 400, 450]);
    await expect(owner.exports.progress({ exportId })).resolves.toMatchObject({
      status: "done",
      runsDone: RUNS,
      runsTotal: RUNS,
    });

    const read = (name: string) => strFromU8(archive[name] ?? new Uint8Array());
    expect(JSON.parse(read("manifest.json"))).toMatchObject({
      format: "tributary-workspace-export",
      version: 1,
      runsTotal: RUNS,
      workspace: { id: workspaceId, slug: seeded.workspace.slug },
    });
    const runs = read("runs.ndjson")
      .trim()
      .split("\n")
      .map((entry) => JSON.parse(entry));
    expect(runs).toHaveLength(RUNS);
    expect(runs[0]).toMatchObject({ messageId: "m-0", input: { order: 0 }, steps: [{ stepId: "start" }] });
    const [flow] = JSON.parse(read("flows.json"));
    expect(flow.versions.map((v: { number: number }) => v.number)).toEqual([1, 2]);
    const members = JSON.parse(read("members.json")).map((m: { email: string; role: string }) => [m.email, m.role]);
    expect(members).toEqual([
      [seeded.owner.email, "owner"],
      [admin.email, "admin"],
    ]);
    expect(read("audit-log.ndjson")).toContain('"action":"workspace.created"');
  });
});
