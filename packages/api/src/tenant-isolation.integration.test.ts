// Workspace B cannot reach workspace A: not through A's workspace id, and not through ids of A's objects
// passed inside B's own workspace. Nothing in A changes.
import { createInvite, listMembers, listPendingInvites } from "@tributary/core";
import { scoped } from "@tributary/db";
import { describe, expect, it } from "vitest";
import { seedWorkspace } from "../../../test/factories/seed.ts";
import { callerFor, outcome, procedureAt } from "../../../test/support/api-caller.ts";
import { useTestEnvironment } from "../../../test/support/environment.ts";
import { listProcedures } from "../../../test/support/procedures.ts";

const env = useTestEnvironment();

const workspacePaths = listProcedures()
  .filter((p) => p.action)
  .map((p) => p.path);

async function twoWorkspaces() {
  const a = await seedWorkspace({ db: env.db, roles: ["editor"], name: "Alpha" });
  const b = await seedWorkspace({ db: env.db, name: "Bravo" });
  const asA = callerFor({ env, user: a.owner });
  const flow = await asA.flows.create({
    workspaceId: a.workspace.id,
    name: "Alpha's flow",
    graph: { version: 1, steps: [{ id: "start", type: "trigger.manual" }], edges: [] },
  });
  await asA.flows.publish({ workspaceId: a.workspace.id, flowId: flow.id });
  const run = await asA.runs.start({ workspaceId: a.workspace.id, flowId: flow.id, body: { secret: "alpha" } });
  const connection = await asA.connections.save({
    workspaceId: a.workspace.id,
    name: "Alpha API",
    type: "http",
    config: { baseUrl: "https://alpha.example.com", auth: "bearer", token: "alpha-token" },
  });
  const invite = await createInvite({
    db: env.db,
    mailer: null,
    appUrl: "http://localhost:3000",
    workspaceId: a.workspace.id,
    actor: a.owner.actor,
    actorRole: "owner",
    email: "pending@example.com",
    role: "viewer",
  });
  const snapshot = async () => ({
    members: await listMembers({ db: env.db, workspaceId: a.workspace.id }),
    invites: await listPendingInvites({ db: env.db, workspaceId: a.workspace.id }),
    workspace: await scoped(env.db, { workspaceId: a.workspace.id }, (tx) =>
      tx.workspace.findUnique({ where: { id: a.workspace.id } }),
    ),
  });
  return { a, b, invite, snapshot, flowId: flow.id, runId: run.runId, connectionId: connection.id };
}

describe("tenant isolation", () => {
  it.each(workspacePaths)("%s refuses workspace A's id to B's owner", async (path) => {
    const { a, b, invite, snapshot, flowId, runId, connectionId } = await twoWorkspaces();
    const before = await snapshot();
    const editor = a.members.editor;
    const input = {
      workspaceId: a.workspace.id,
      flowId,
      runId,
      connectionId,
      stepKey: "start",
      status: "paused",
      body: {},
      baseRevision: 0,
      type: "http",
      config: { baseUrl: "https://evil.example.com" },
      graph: { version: 1, steps: [], edges: [] },
      userId: editor?.id,
      role: "viewer",
      inviteId: invite.id,
      name: "Taken over",
      confirmSlug: a.workspace.slug,
      email: "intruder@example.com",
    };
    const code = await outcome(procedureAt(callerFor({ env, user: b.owner }), path)(input));
    expect(code).toBe("NOT_FOUND");
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ["members.changeRole", "userId"],
    ["members.remove", "userId"],
    ["members.revokeInvite", "inviteId"],
  ])("%s refuses ids of A's objects inside B", async (path, field) => {
    const { a, b, invite, snapshot } = await twoWorkspaces();
    const before = await snapshot();
    const ids: Record<string, string | undefined> = { userId: a.members.editor?.id, inviteId: invite.id };
    const code = await outcome(
      procedureAt(
        callerFor({ env, user: b.owner }),
        path,
      )({ workspaceId: b.workspace.id, role: "viewer", [field]: ids[field] }),
    );
    expect(code).toBe("NOT_FOUND");
    expect(await snapshot()).toEqual(before);
  });

  it("lists only the caller's own workspaces, and hides others' slugs", async () => {
    const { a, b } = await twoWorkspaces();
    const asB = callerFor({ env, user: b.owner });
    expect((await asB.workspaces.list()).map((w) => w.id)).toEqual([b.workspace.id]);
    expect(await outcome(asB.workspaces.bySlug({ slug: a.workspace.slug }))).toBe("NOT_FOUND");
  });
});
