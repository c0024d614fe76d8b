// Two-factor sign-in end to end through core and the API: enrolment with a real TOTP computed by otplib from the
// secret as stored (sealed), sign-in with a code and with recovery codes (each used once), replayed codes and
// wrong codes refused and limited like passwords, the workspace setting that requires it, turning it off.
import { createSecretBox, SIGN_IN_LIMITS, verifyCredentials } from "@tributary/core";
import { scoped } from "@tributary/db";
import { generate } from "otplib";
import { describe, expect, it } from "vitest";
import { seedUser, seedWorkspace, TEST_PASSWORD } from "../factories/seed.ts";
import { callerFor } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { TEST_ENCRYPTION_KEY } from "../support/worker-process.ts";

const env = useTestEnvironment();
const secretBox = createSecretBox({ currentKey: TEST_ENCRYPTION_KEY });
let counter = 0;
const freshIp = () => `192.0.2.${++counter}`;
const device = { token: null, secret: "a-test-secret-that-is-long-enough-for-hmac" };

/** The secret as the database keeps it, opened the way the app opens it. */
async function storedSecret(userId: string): Promise<string> {
  const { totpSecret } = await env.db.user.findUniqueOrThrow({ where: { id: userId }, select: { totpSecret: true } });
  if (!totpSecret) throw new Error("no TOTP secret stored");
  return secretBox.open(totpSecret, `user:${userId}:totp`);
}

/** The code an authenticator app shows `periods` periods from now. */
const codeAt = (secret: string, periods = 0) =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + periods * 30 });

async function enrol(user: Awaited<ReturnType<typeof seedUser>>) {
  const caller = callerFor({ env, user });
  const { secret, uri } = await caller.account.startTwoFactor();
  const { recoveryCodes } = await caller.account.confirmTwoFactor({ code: await codeAt(await storedSecret(user.id)) });
  return { secret, uri, recoveryCodes };
}

const signIn = (email: string, code?: string, ip = freshIp()) =>
  verifyCredentials({ db: env.db, redis: env.redis, secretBox, email, password: TEST_PASSWORD, code, ip, device });

const refusal = (work: Promise<unknown>) =>
  work.then(
    () => "signed in",
    (error: Error) => error.message,
  );

describe("two-factor sign-in", () => {
  it("enrols with a code from the app; the secret is sealed and the recovery codes hashed", async () => {
    const { workspace, owner } = await seedWorkspace({ db: env.db });
    const caller = callerFor({ env, user: owner });
    const { secret, uri } = await caller.account.startTwoFactor();
    expect(uri).toMatch(/^otpauth:\/\/totp\/Tributary:/);
    expect(uri).toContain(`secret=${secret}`);
    const stored = await env.db.user.findUniqueOrThrow({ where: { id: owner.id } });
    expect(Buffer.from(stored.totpSecret ?? []).toString("latin1")).not.toContain(secret);
    expect(await storedSecret(owner.id)).toBe(secret);
    expect(stored.totpEnabledAt).toBeNull();

    await expect(caller.account.confirmTwoFactor({ code: "000000" })).rejects.toThrow(/not correct/);
    const { recoveryCodes } = await caller.account.confirmTwoFactor({ code: await codeAt(secret) });
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(recoveryCodes[0]).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    const kept = await env.db.recoveryCode.findMany({ where: { userId: owner.id } });
    expect(kept).toHaveLength(10);
    for (const { codeHash } of kept) expect(recoveryCodes.some((code) => codeHash.includes(code))).toBe(false);
    expect(await caller.account.twoFactorStatus()).toEqual({ enabled: true, recoveryCodesLeft: 10 });
    await expect(caller.account.startTwoFactor()).rejects.toThrow(/already on/);

    const audit = await scoped(env.db, { workspaceId: workspace.id }, (tx) =>
      tx.auditEvent.findMany({ where: { action: "user.two_factor_enabled" } }),
    );
    expect(audit).toHaveLength(1);
  });

  it("asks for the second factor after the password, and takes a code or a recovery code once each", async () => {
    const user = await seedUser({ db: env.db });
    const { secret, recoveryCodes } = await enrol(user);

    expect(await refusal(signIn(user.email))).toBe("Enter the code from your authenticator app, or a recovery code.");
    expect(await refusal(signIn(user.email, "123456"))).toBe("That code is not correct, or it was already used.");
    // The code of the next period: the one of this period was spent confirming the enrolment.
    const code = await codeAt(secret, 1);
    expect(await refusal(signIn(user.email, code))).toBe("signed in");
    expect(await refusal(signIn(user.email, code))).toBe("That code is not correct, or it was already used.");

    const recovery = recoveryCodes[3] ?? "";
    expect(await refusal(signIn(user.email, recovery.toUpperCase().replace("-", " ")))).toBe("signed in");
    expect(await refusal(signIn(user.email, recovery))).toBe("That code is not correct, or it was already used.");
    expect(await callerFor({ env, user }).account.twoFactorStatus()).toEqual({ enabled: true, recoveryCodesLeft: 9 });
  });

  it("limits wrong codes like wrong passwords", async () => {
    const user = await seedUser({ db: env.db });
    const { secret } = await enrol(user);
    const ip = freshIp();
    for (let i = 0; i < SIGN_IN_LIMITS.pair.max; i++) {
      expect(await refusal(signIn(user.email, String(100000 + i), ip))).toMatch(/not correct/);
    }
    expect(await refusal(signIn(user.email, await codeAt(secret, 1), ip))).toMatch(/Too many/i);
  });

  it("lets a workspace require it: members without it are refused until they enrol", async () => {
    const { workspace, owner, members } = await seedWorkspace({ db: env.db, roles: ["editor"] });
    const ownerCaller = callerFor({ env, user: owner });
    await expect(ownerCaller.settings.update({ workspaceId: workspace.id, requireTwoFactor: true })).rejects.toThrow(
      /your own account/,
    );
    await enrol(owner);
    await ownerCaller.settings.update({ workspaceId: workspace.id, requireTwoFactor: true });

    const editor = members.editor ?? (await seedUser({ db: env.db }));
    const editorCaller = callerFor({ env, user: editor });
    await expect(editorCaller.flows.list({ workspaceId: workspace.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/requires two-factor sign-in/),
    });
    await expect(editorCaller.workspaces.bySlug({ slug: workspace.slug })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await enrol(editor);
    await expect(editorCaller.flows.list({ workspaceId: workspace.id })).resolves.toBeDefined();
    expect(await ownerCaller.flows.list({ workspaceId: workspace.id })).toBeDefined();
  });

  it("limits wrong passwords when turning it off, as at sign-in", async () => {
    const user = await seedUser({ db: env.db });
    await enrol(user);
    const caller = callerFor({ env, user, ip: freshIp() });
    for (let i = 0; i < SIGN_IN_LIMITS.pair.max; i++) {
      await expect(caller.account.disableTwoFactor({ password: `guess ${i}` })).rejects.toThrow(/not correct/);
    }
    await expect(caller.account.disableTwoFactor({ password: TEST_PASSWORD })).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
    });
    expect((await caller.account.twoFactorStatus()).enabled).toBe(true);
  });

  it("turns off only with the password, and then signs in with the password alone", async () => {
    const { workspace, owner } = await seedWorkspace({ db: env.db });
    await enrol(owner);
    const caller = callerFor({ env, user: owner });
    await expect(caller.account.disableTwoFactor({ password: "not the password" })).rejects.toThrow(/not correct/);
    expect((await caller.account.twoFactorStatus()).enabled).toBe(true);
    await caller.account.disableTwoFactor({ password: TEST_PASSWORD });
    expect(await caller.account.twoFactorStatus()).toEqual({ enabled: false, recoveryCodesLeft: 0 });
    expect(await env.db.user.findUniqueOrThrow({ where: { id: owner.id } })).toMatchObject({ totpSecret: null });
    expect(await refusal(signIn(owner.email))).toBe("signed in");
    const audit = await scoped(env.db, { workspaceId: workspace.id }, (tx) =>
      tx.auditEvent.findMany({ where: { action: "user.two_factor_disabled" } }),
    );
    expect(audit).toHaveLength(1);
  });
});
