// Workspace API keys: shown once, kept hashed, revocable, expiring; a key names its workspace and role, and a
// wrong, revoked or expired key gets the same refusal.
import { authenticateApiKey, listAuditEvents } from "@tributary/core";
import { scoped } from "@tributary/db";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { callerFor, outcome } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";

const env = useTestEnvironment();
let seeded: SeededWorkspace;

beforeAll(async () => {
  seeded = await seedWorkspace({ db: env.db, roles: ["editor"] });
});

const owner = () => callerFor({ env, user: seeded.owner });

describe("API keys", () => {
  it("is shown once, kept only as a hash, and names its workspace and role", async () => {
    const created = await owner().apiKeys.create({ workspaceId: seeded.workspace.id, name: "CI", role: "operator" });
    expect(created.key).toMatch(/^trb_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const principal = await authenticateApiKey({ db: env.db, token: created.key });
    expect(principal).toEqual({ keyId: created.id, name: "CI", workspaceId: seeded.workspace.id, role: "operator" });

    const [listed] = await owner().apiKeys.list({ workspaceId: seeded.workspace.id });
    expect(listed).toMatchObject({ name: "CI", role: "operator", revokedAt: null });
    expect(listed?.prefix).toBe(`${created.key.slice(0, 17)}…`);
    expect(listed?.lastUsedAt).not.toBeNull();
    const row = await scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
      tx.apiKey.findUniqueOrThrow({ where: { id: created.id } }),
    );
    expect(Buffer.from(row.hash).toString("latin1")).not.toContain(created.key);
    expect(JSON.stringify({ ...row, hash: null })).not.toContain(created.key.slice(18));

    const audit = await listAuditEvents({ db: env.db, workspaceId: seeded.workspace.id, limit: 10 });
    expect(audit.events.map((event) => event.action)).toContain("api_key.created");
  });

  it("refuses a wrong, malformed, revoked or expired key with the same answer", async () => {
    const { id, key } = await owner().apiKeys.create({
      workspaceId: seeded.workspace.id,
      name: "Temp",
      role: "viewer",
    });
    const refusal = async (token: string) =>
      authenticateApiKey({ db: env.db, token }).then(
        () => "accepted",
        (error: Error) => error.message,
      );
    const wrong = await refusal(`${key.slice(0, -1)}${key.endsWith("A") ? "B" : "A"}`);
    expect(wrong).toMatch(/valid API key/);
    expect(await refusal("not-a-key")).toBe(wrong);
    expect(await refusal(`trb_000000000000_${"x".repeat(43)}`)).toBe(wrong);

    await owner().apiKeys.revoke({ workspaceId: seeded.workspace.id, keyId: id });
    expect(await refusal(key)).toBe(wrong);
    expect(await outcome(owner().apiKeys.revoke({ workspaceId: seeded.workspace.id, keyId: id }))).toBe("NOT_FOUND");

    const expiring = await owner().apiKeys.create({
      workspaceId: seeded.workspace.id,
      name: "Soon",
      role: "viewer",
      expiresAt: new Date(Date.now() + 60_000),
    });
    expect(await refusal(expiring.key)).toBe("accepted");
    const admin = new pg.Client({ connectionString: env.databaseUrl });
    await admin.connect();
    await admin.query("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", [expiring.id]);
    await admin.end();
    expect(await refusal(expiring.key)).toBe(wrong);
  });

  it("is managed by owners and admins only, and cannot be made with more than an admin's role", async () => {
    const editor = seeded.members.editor;
    if (!editor) throw new Error("no editor seeded");
    const asEditor = callerFor({ env, user: editor });
    expect(await outcome(asEditor.apiKeys.list({ workspaceId: seeded.workspace.id }))).toBe("FORBIDDEN");
    expect(
      await outcome(
        owner().apiKeys.create({ workspaceId: seeded.workspace.id, name: "Root", role: "owner" as "admin" }),
      ),
    ).toBe("BAD_REQUEST");
    expect(
      await outcome(
        owner().apiKeys.create({
          workspaceId: seeded.workspace.id,
          name: "Past",
          role: "viewer",
          expiresAt: new Date(Date.now() - 1000),
        }),
      ),
    ).toBe("BAD_REQUEST");
  });
});
