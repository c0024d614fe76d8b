import { describe, expect, it } from "vitest";
import { seedUser, seedWorkspace } from "../../../../test/factories/seed.ts";
import { useTestEnvironment } from "../../../../test/support/environment.ts";
import { startSmtpServer } from "../../../../test/support/smtp.ts";
import { AppError } from "../errors/app-error.ts";
import { createMailer } from "../mail/mailer.ts";
import { listMembers } from "../members/list-members.ts";
import { acceptInvite, previewInvite } from "./accept-invite.ts";
import { createInvite } from "./create-invite.ts";
import { listPendingInvites } from "./list-invites.ts";
import { revokeInvite } from "./revoke-invite.ts";

const env = useTestEnvironment();
const APP_URL = "http://localhost:3000";

const rejection = (work: Promise<unknown>) =>
  work.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => {
      if (!(error instanceof AppError)) throw error;
      return error;
    },
  );

const NO_VERIFICATION = { required: false, mailer: null, appUrl: APP_URL };

async function invited(role: "editor" | "admin" | "owner" = "editor") {
  const seeded = await seedWorkspace({ db: env.db });
  const guest = await seedUser({ db: env.db });
  const invite = await createInvite({
    db: env.db,
    mailer: null,
    appUrl: APP_URL,
    workspaceId: seeded.workspace.id,
    actor: seeded.owner.actor,
    actorRole: "owner",
    email: guest.email,
    role,
  });
  if (!invite.link) throw new Error("an invite without a mailer returns its link");
  const token = invite.link.slice(`${APP_URL}/invite/`.length);
  return { ...seeded, guest, invite, token };
}

describe("invites", () => {
  it("makes the invited user a member with the invited role, once", async () => {
    const { workspace, guest, token, invite } = await invited("editor");
    expect(invite.link).toMatch(/^http:\/\/localhost:3000\/invite\/[0-9a-f-]{36}\.[\w-]{43}$/);
    expect(await previewInvite({ db: env.db, token })).toMatchObject({
      status: "valid",
      role: "editor",
      email: guest.email,
    });
    expect(await acceptInvite({ db: env.db, verification: NO_VERIFICATION, token, actor: guest.actor })).toEqual({
      workspaceSlug: workspace.slug,
      role: "editor",
    });
    const members = await listMembers({ db: env.db, workspaceId: workspace.id });
    expect(members.find((m) => m.userId === guest.id)?.role).toBe("editor");
    const reused = await rejection(
      acceptInvite({ db: env.db, verification: NO_VERIFICATION, token, actor: guest.actor }),
    );
    expect(reused.message).toMatch(/already used/);
    expect((await previewInvite({ db: env.db, token })).status).toBe("used");
  });

  it("refuses an expired link", async () => {
    const { workspace, guest, token, invite } = await invited();
    const { scoped } = await import("@tributary/db");
    await scoped(env.db, { workspaceId: workspace.id }, (tx) =>
      tx.invite.update({ where: { id: invite.id }, data: { expiresAt: new Date(Date.now() - 1000) } }),
    );
    expect((await previewInvite({ db: env.db, token })).status).toBe("expired");
    const error = await rejection(
      acceptInvite({ db: env.db, verification: NO_VERIFICATION, token, actor: guest.actor }),
    );
    expect(error.message).toMatch(/expired/);
  });

  it("refuses a revoked link, and a link for someone else", async () => {
    const { workspace, owner, token, invite } = await invited();
    const stranger = await seedUser({ db: env.db });
    const wrongPerson = await rejection(
      acceptInvite({ db: env.db, verification: NO_VERIFICATION, token, actor: stranger.actor }),
    );
    expect(wrongPerson.code).toBe("FORBIDDEN");
    await revokeInvite({ db: env.db, workspaceId: workspace.id, actor: owner.actor, inviteId: invite.id });
    const revoked = await rejection(
      acceptInvite({ db: env.db, verification: NO_VERIFICATION, token, actor: stranger.actor }),
    );
    expect(revoked.message).toMatch(/withdrawn/);
  });

  it("refuses tampered and malformed tokens without saying why", async () => {
    const { guest, token } = await invited();
    const tampered = `${token.slice(0, -2)}xx`;
    for (const bad of [tampered, "nonsense", `${token}extra`]) {
      const error = await rejection(
        acceptInvite({ db: env.db, verification: NO_VERIFICATION, token: bad, actor: guest.actor }),
      );
      expect(error.code).toBe("NOT_FOUND");
    }
  });

  it("accepts a link only once under concurrency", async () => {
    const { guest, token } = await invited();
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        acceptInvite({ db: env.db, verification: NO_VERIFICATION, token, actor: guest.actor }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("replaces an earlier pending invite to the same email and refuses inviting a member", async () => {
    const { workspace, owner, guest, token } = await invited();
    const again = {
      db: env.db,
      mailer: null,
      appUrl: APP_URL,
      workspaceId: workspace.id,
      actor: owner.actor,
      actorRole: "owner" as const,
    };
    await createInvite({ ...again, email: guest.email, role: "viewer" });
    expect((await previewInvite({ db: env.db, token })).status).toBe("revoked");
    const pending = await listPendingInvites({ db: env.db, workspaceId: workspace.id });
    expect(pending.map((p) => p.role)).toEqual(["viewer"]);
    const duplicate = await rejection(createInvite({ ...again, email: owner.email, role: "viewer" }));
    expect(duplicate.code).toBe("CONFLICT");
  });

  it("does not let an admin invite an owner", async () => {
    const { workspace, members } = await seedWorkspace({ db: env.db, roles: ["admin"] });
    const admin = members.admin;
    if (!admin) throw new Error("no admin");
    const error = await rejection(
      createInvite({
        db: env.db,
        mailer: null,
        appUrl: APP_URL,
        workspaceId: workspace.id,
        actor: admin.actor,
        actorRole: "admin",
        email: "boss@example.com",
        role: "owner",
      }),
    );
    expect(error.code).toBe("FORBIDDEN");
  });

  it("sends the link through SMTP when a mail server is configured", async () => {
    const smtp = await startSmtpServer();
    try {
      const { workspace, owner } = await seedWorkspace({ db: env.db });
      const invite = await createInvite({
        db: env.db,
        mailer: createMailer({ smtpUrl: smtp.url, from: "Tributary <noreply@tributary.test>" }),
        appUrl: APP_URL,
        workspaceId: workspace.id,
        actor: owner.actor,
        actorRole: "owner",
        email: "new.colleague@example.com",
        role: "viewer",
      });
      // Mailed only: the inviter does not see the link, so opening it proves the address.
      expect(invite).toMatchObject({ emailed: true, link: null });
      expect(smtp.received).toHaveLength(1);
      expect(smtp.received[0]?.to).toEqual(["new.colleague@example.com"]);
      const raw = smtp.received[0]?.raw.replace(/=\r\n/g, "").replace(/=3D/g, "=") ?? "";
      const token = raw.match(/\/invite\/([0-9a-f-]{36}\.[\w-]{43})/)?.[1] ?? "";
      expect(await previewInvite({ db: env.db, token })).toMatchObject({
        status: "valid",
        email: "new.colleague@example.com",
      });
    } finally {
      await smtp.close();
    }
  });

  it("still creates the invite, and says so, when the mail server is down", async () => {
    const { workspace, owner } = await seedWorkspace({ db: env.db });
    const invite = await createInvite({
      db: env.db,
      mailer: createMailer({ smtpUrl: "smtp://127.0.0.1:9", from: "noreply@tributary.test" }),
      appUrl: APP_URL,
      workspaceId: workspace.id,
      actor: owner.actor,
      actorRole: "owner",
      email: "someone@example.com",
      role: "viewer",
    });
    expect(invite.emailed).toBe(false);
    expect((await listPendingInvites({ db: env.db, workspaceId: workspace.id })).map((i) => i.email)).toEqual([
      "someone@example.com",
    ]);
  });
});
