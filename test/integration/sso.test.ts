// Single sign-on against a real OpenID Connect provider (oidc-provider, on loopback in this process): settings
// checked by discovery and kept with the client secret sealed; sign-in through the provider's login and consent
// with the code flow (PKCE, state, nonce); accounts and memberships made just in time with the mapped role and the
// mapping applied again at each sign-in; email domains enforced; a workspace that requires single sign-on.
import {
  claimSsoTicket,
  createSecretBox,
  finishSsoSignIn,
  issueSsoTicket,
  memberRole,
  SSO_LINK_EXPIRED,
  startSsoSignIn,
  verifyCredentials,
} from "@tributary/core";
import { scoped } from "@tributary/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedUser, seedWorkspace, TEST_PASSWORD } from "../factories/seed.ts";
import { callerFor } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { loginAtProvider } from "../support/oidc-login.ts";
import { startOidcProvider, type TestOidcProvider } from "../support/oidc-provider.ts";
import { TEST_ENCRYPTION_KEY } from "../support/worker-process.ts";

const env = useTestEnvironment();
const secretBox = createSecretBox({ currentKey: TEST_ENCRYPTION_KEY });
const redirectUri = "http://localhost:3000/api/sso/callback";
const device = { token: null, secret: "a-test-secret-that-is-long-enough-for-hmac" };
let provider: TestOidcProvider;
let counter = 0;
const fresh = () => `${Date.now().toString(36)}${++counter}`;
const freshIp = () => `198.51.100.${++counter % 250}`;

beforeAll(async () => {
  provider = await startOidcProvider({ redirectUris: [redirectUri] });
});
afterAll(async () => {
  await provider?.stop();
});

/** A workspace with the provider allowed (loopback) and single sign-on for `domain`, eng → editor. */
async function workspaceWithSso({ domain, requireSso = false }: { domain: string; requireSso?: boolean }) {
  const seeded = await seedWorkspace({ db: env.db, roles: ["admin", "editor"] });
  const owner = callerFor({ env, user: seeded.owner });
  await owner.settings.update({ workspaceId: seeded.workspace.id, allowedHosts: ["127.0.0.1"] });
  await owner.sso.save({
    workspaceId: seeded.workspace.id,
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    allowedDomains: [domain],
    groupsClaim: "groups",
    roleMappings: [
      { group: "eng", role: "editor" },
      { group: "ops", role: "operator" },
    ],
    enabled: true,
    requireSso,
  });
  return { ...seeded, owner: seeded.owner, asOwner: owner };
}

/** The whole round trip as the web app makes it, from the typed email to the person signed in. */
async function signInWithSso({ typed, login }: { typed: string; login: string }) {
  const started = await startSsoSignIn({ db: env.db, redis: env.redis, secretBox, typed, redirectUri, ip: freshIp() });
  const callbackUrl = await loginAtProvider({ authorizationUrl: started.authorizationUrl, login, redirectUri });
  return finishSsoSignIn({
    db: env.db,
    redis: env.redis,
    secretBox,
    callbackUrl,
    browserState: started.state,
    ip: "192.0.2.10",
  });
}

const roleOf = (seeded: SeededWorkspace, userId: string) =>
  scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
    tx.membership.findUnique({
      where: { workspaceId_userId: { workspaceId: seeded.workspace.id, userId } },
      select: { role: true },
    }),
  ).then((membership) => membership?.role ?? null);

const auditActions = (workspaceId: string) =>
  scoped(env.db, { workspaceId }, (tx) =>
    tx.auditEvent.findMany({
      where: { workspaceId },
      orderBy: { createdAt: "asc" },
      select: { action: true, details: true },
    }),
  );

describe("single sign-on settings", () => {
  it("are checked by reading the provider's discovery document; the secret is sealed and never shown", async () => {
    const seeded = await seedWorkspace({ db: env.db, roles: ["admin"] });
    const owner = callerFor({ env, user: seeded.owner });
    const workspaceId = seeded.workspace.id;
    const settings = {
      workspaceId,
      issuer: provider.issuer,
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      allowedDomains: ["Example.COM", "@example.com"],
      groupsClaim: "groups",
      roleMappings: [{ group: "eng", role: "editor" as const }],
      enabled: true,
      requireSso: false,
    };
    // A provider on loopback is a private host: refused until the workspace allows it (and plain http with it).
    await expect(owner.sso.save(settings)).rejects.toThrow(/must use https/);
    await owner.settings.update({ workspaceId, allowedHosts: ["127.0.0.1"] });
    await expect(owner.sso.save({ ...settings, issuer: `${provider.issuer}/nowhere` })).rejects.toThrow(
      /Could not read the provider's discovery document \(http:\/\/127\.0\.0\.1:\d+\/nowhere\/\.well-known\/openid-configuration\)/,
    );
    await expect(owner.sso.save({ ...settings, clientSecret: undefined })).rejects.toThrow(/client secret/);
    await expect(owner.sso.save({ ...settings, roleMappings: [] })).rejects.toThrow(/Map at least one group/);

    const saved = await owner.sso.save(settings);
    expect(saved).toMatchObject({ issuer: provider.issuer, allowedDomains: ["example.com"], clientSecretSet: true });
    expect(JSON.stringify(await owner.sso.get({ workspaceId }))).not.toContain(provider.clientSecret);
    const row = await scoped(env.db, { workspaceId }, (tx) =>
      tx.ssoConfig.findUniqueOrThrow({ where: { workspaceId } }),
    );
    expect(Buffer.from(row.clientSecret).toString("latin1")).not.toContain(provider.clientSecret);

    // Saving again without the secret keeps it (discovery is checked with the saved one).
    await owner.sso.save({ ...settings, clientSecret: undefined, requireSso: true });
    expect((await owner.sso.get({ workspaceId }))?.requireSso).toBe(true);

    // Owners only: an admin can neither read nor change it.
    const admin = callerFor({ env, user: seeded.members.admin ?? null });
    await expect(admin.sso.get({ workspaceId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(admin.sso.save(settings)).rejects.toMatchObject({ code: "FORBIDDEN" });

    await owner.sso.remove({ workspaceId });
    expect(await owner.sso.get({ workspaceId })).toBeNull();
    const audit = await auditActions(workspaceId);
    expect(audit.map((event) => event.action).filter((action) => action.startsWith("sso."))).toEqual([
      "sso.configured",
      "sso.configured",
      "sso.removed",
    ]);
    expect(JSON.stringify(audit)).not.toContain(provider.clientSecret);
  });
});

describe("signing in with single sign-on", () => {
  it("finds the workspace by email domain or slug, and makes the account and membership just in time", async () => {
    const domain = `${fresh()}.example.com`;
    const seeded = await workspaceWithSso({ domain });
    const login = `ada-${fresh()}`;
    provider.people.set(login, { email: `Ada@${domain}`, name: "Ada Lovelace", groups: ["eng", "everyone"] });

    const signedIn = await signInWithSso({ typed: `ada@${domain}`, login });
    expect(signedIn.user.email).toBe(`ada@${domain}`);
    expect(signedIn.role).toBe("editor");
    expect(signedIn.workspace.slug).toBe(seeded.workspace.slug);
    expect(await roleOf(seeded, signedIn.user.id)).toBe("editor");
    const account = await env.db.user.findUniqueOrThrow({ where: { id: signedIn.user.id } });
    expect(account.emailVerifiedAt).not.toBeNull();
    expect(account.name).toBe("Ada Lovelace");

    // The same person again, found by the workspace's slug: the same account, no second one.
    const again = await signInWithSso({ typed: seeded.workspace.slug, login });
    expect(again.user.id).toBe(signedIn.user.id);
    expect(await env.db.user.count({ where: { email: `ada@${domain}` } })).toBe(1);

    // The web app's session is made from a ticket that works once.
    const ticket = await issueSsoTicket({ redis: env.redis, userId: again.user.id, workspaceId: seeded.workspace.id });
    expect(await claimSsoTicket({ db: env.db, redis: env.redis, ticket })).toMatchObject({
      user: { id: again.user.id },
      workspaceId: seeded.workspace.id,
    });
    expect(await claimSsoTicket({ db: env.db, redis: env.redis, ticket })).toBeNull();

    const audit = await auditActions(seeded.workspace.id);
    expect(audit.filter((event) => event.action === "sso.signed_in")).toHaveLength(2);
    expect(
      audit.find((event) => event.action === "member.joined" && JSON.stringify(event.details).includes("sso")),
    ).toBeTruthy();
  });

  it("refuses emails outside the allowed domains, and people none of whose groups is mapped", async () => {
    const domain = `${fresh()}.example.com`;
    const seeded = await workspaceWithSso({ domain });
    const outsider = `eve-${fresh()}`;
    provider.people.set(outsider, { email: `eve@elsewhere.example.org`, name: "Eve", groups: ["eng"] });
    // Typed as the workspace (her own domain names no workspace), the provider vouches for an address outside it.
    await expect(signInWithSso({ typed: seeded.workspace.slug, login: outsider })).rejects.toThrow(
      new RegExp(`cannot sign in to .* with single sign-on: it accepts only @${domain.replaceAll(".", "\\.")}`),
    );
    expect(await env.db.user.count({ where: { email: "eve@elsewhere.example.org" } })).toBe(0);
    await expect(
      startSsoSignIn({
        db: env.db,
        redis: env.redis,
        secretBox,
        typed: "eve@elsewhere.example.org",
        redirectUri,
        ip: freshIp(),
      }),
    ).rejects.toThrow(/No workspace uses single sign-on/);

    const unmapped = `sam-${fresh()}`;
    provider.people.set(unmapped, { email: `sam@${domain}`, name: "Sam", groups: ["marketing"] });
    await expect(signInWithSso({ typed: `sam@${domain}`, login: unmapped })).rejects.toThrow(
      /None of your groups at the identity provider \(marketing\) gives a role/,
    );
    const unverified = `uma-${fresh()}`;
    provider.people.set(unverified, { email: `uma@${domain}`, name: "Uma", groups: ["eng"], emailVerified: false });
    await expect(signInWithSso({ typed: `uma@${domain}`, login: unverified })).rejects.toThrow(/has not verified/);
    // The owner sees why in the audit log.
    const refusals = (await auditActions(seeded.workspace.id)).filter((event) => event.action === "sso.refused");
    expect(refusals.map((event) => event.details)).toEqual([
      expect.objectContaining({ email: "eve@elsewhere.example.org", reason: "email domain not allowed" }),
      expect.objectContaining({ email: `sam@${domain}`, reason: "no mapped group", groups: ["marketing"] }),
      expect.objectContaining({ email: `uma@${domain}`, reason: "email not verified" }),
    ]);
  });

  it("applies the group mapping again at every sign-in, and never demotes the last owner", async () => {
    const domain = `${fresh()}.example.com`;
    const seeded = await workspaceWithSso({ domain });
    const login = `lin-${fresh()}`;
    provider.people.set(login, { email: `lin@${domain}`, name: "Lin", groups: ["eng"] });
    const first = await signInWithSso({ typed: `lin@${domain}`, login });
    expect(first.role).toBe("editor");

    // The owner maps eng to viewer (the saved secret stays): the next sign-in makes Lin a viewer.
    await seeded.asOwner.sso.save({
      workspaceId: seeded.workspace.id,
      issuer: provider.issuer,
      clientId: provider.clientId,
      allowedDomains: [domain],
      groupsClaim: "groups",
      roleMappings: [
        { group: "eng", role: "viewer" },
        { group: "ops", role: "operator" },
      ],
      enabled: true,
      requireSso: false,
    });
    expect(await roleOf(seeded, first.user.id)).toBe("editor");
    expect((await signInWithSso({ typed: `lin@${domain}`, login })).role).toBe("viewer");
    expect(await roleOf(seeded, first.user.id)).toBe("viewer");

    // Lin moves to ops at the provider: the highest mapped group wins.
    provider.people.set(login, { email: `lin@${domain}`, name: "Lin", groups: ["eng", "ops"] });
    expect((await signInWithSso({ typed: `lin@${domain}`, login })).role).toBe("operator");
    const changes = (await auditActions(seeded.workspace.id)).filter((e) => e.action === "member.role_changed");
    expect(changes.map((e) => e.details)).toEqual([
      expect.objectContaining({ from: "editor", to: "viewer", via: "sso" }),
      expect.objectContaining({ from: "viewer", to: "operator", via: "sso" }),
    ]);

    // The only owner, linked to the provider by membership, stays owner whatever the mapping says.
    const ownerLogin = `own-${fresh()}`;
    await env.db.user.update({ where: { id: seeded.owner.id }, data: { email: `boss@${domain}` } });
    provider.people.set(ownerLogin, { email: `boss@${domain}`, name: "Boss", groups: ["eng"] });
    const owner = await signInWithSso({ typed: `boss@${domain}`, login: ownerLogin });
    expect(owner.user.id).toBe(seeded.owner.id);
    expect(owner.role).toBe("owner");
  });

  it("does not take over an account that is not a member, and refuses an answer for another browser", async () => {
    const domain = `${fresh()}.example.com`;
    await workspaceWithSso({ domain });
    const existing = await seedUser({ db: env.db, email: `kim@${domain}` });
    const login = `kim-${fresh()}`;
    provider.people.set(login, { email: existing.email, name: "Kim", groups: ["eng"] });
    await expect(signInWithSso({ typed: existing.email, login })).rejects.toThrow(/already exists and is not a member/);

    const other = `joe-${fresh()}`;
    provider.people.set(other, { email: `joe@${domain}`, name: "Joe", groups: ["eng"] });
    const started = await startSsoSignIn({
      db: env.db,
      redis: env.redis,
      secretBox,
      typed: `joe@${domain}`,
      redirectUri,
      ip: freshIp(),
    });
    const callbackUrl = await loginAtProvider({
      authorizationUrl: started.authorizationUrl,
      login: other,
      redirectUri,
    });
    const finish = (browserState: string) =>
      finishSsoSignIn({ db: env.db, redis: env.redis, secretBox, callbackUrl, browserState, ip: "192.0.2.11" });
    await expect(finish("another-browsers-state")).rejects.toThrow(SSO_LINK_EXPIRED);
    expect((await finish(started.state)).user.email).toBe(`joe@${domain}`);
    // The same answer twice: the attempt is used up.
    await expect(finish(started.state)).rejects.toThrow(SSO_LINK_EXPIRED);
  });
});

describe("starting single sign-on", () => {
  it("is limited per address, since each start reads the provider's discovery document", async () => {
    const domain = `${fresh()}.example.com`;
    await workspaceWithSso({ domain });
    const start = () =>
      startSsoSignIn({ db: env.db, redis: env.redis, secretBox, typed: `x@${domain}`, redirectUri, ip: "203.0.113.7" });
    for (let attempt = 0; attempt < 30; attempt++) await start();
    await expect(start()).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS", message: /Too many single sign-on/ });
  });
});

describe("a workspace that requires single sign-on", () => {
  it("refuses members' password sessions, keeps the owner's, and takes sessions from its own provider", async () => {
    const domain = `${fresh()}.example.com`;
    const seeded = await workspaceWithSso({ domain, requireSso: true });
    const workspaceId = seeded.workspace.id;
    const editor = seeded.members.editor;
    if (!editor) throw new Error("no editor seeded");
    const signIn = (email: string) =>
      verifyCredentials({
        db: env.db,
        redis: env.redis,
        secretBox,
        email,
        password: TEST_PASSWORD,
        ip: `192.0.2.${20 + ++counter}`,
        device,
      });

    await expect(signIn(editor.email)).rejects.toThrow(
      new RegExp(`${seeded.workspace.name} requires single sign-on: use “Sign in with SSO”`),
    );
    expect((await signIn(seeded.owner.email)).id).toBe(seeded.owner.id);

    // A password session of the editor (made before the requirement) cannot enter; the owner's can.
    await expect(callerFor({ env, user: editor }).flows.list({ workspaceId })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/requires single sign-on/),
    });
    await expect(
      callerFor({ env, user: editor }).workspaces.bySlug({ slug: seeded.workspace.slug }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await callerFor({ env, user: seeded.owner }).flows.list({ workspaceId })).toMatchObject({ flows: [] });

    // A session from this workspace's provider enters; one from another workspace's provider does not.
    const viaSso = callerFor({ env, user: editor, ssoWorkspaceId: workspaceId });
    expect(await viaSso.flows.list({ workspaceId })).toMatchObject({ flows: [] });
    const elsewhere = await seedWorkspace({ db: env.db });
    await expect(
      memberRole({ db: env.db, workspaceId, userId: editor.id, ssoWorkspaceId: elsewhere.workspace.id }),
    ).rejects.toThrow(/another workspace's single sign-on/);

    // A member who also belongs to a workspace without the requirement still signs in with a password there.
    await scoped(env.db, { workspaceId: elsewhere.workspace.id }, (tx) =>
      tx.membership.create({ data: { workspaceId: elsewhere.workspace.id, userId: editor.id, role: "viewer" } }),
    );
    expect((await signIn(editor.email)).id).toBe(editor.id);
    expect(await memberRole({ db: env.db, workspaceId: elsewhere.workspace.id, userId: editor.id })).toBe("viewer");
  });
});
