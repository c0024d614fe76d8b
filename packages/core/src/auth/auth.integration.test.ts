import { hash } from "@node-rs/argon2";
import { createSecretBox } from "@tributary/db";
import { describe, expect, it } from "vitest";
import { TEST_PASSWORD } from "../../../../test/factories/seed.ts";
import { useTestEnvironment } from "../../../../test/support/environment.ts";
import { TEST_ENCRYPTION_KEY } from "../../../../test/support/worker-process.ts";
import { AppError } from "../errors/app-error.ts";
import { changePassword } from "./change-password.ts";
import { issueDeviceToken } from "./device-token.ts";
import { currentUser, revokeAllSessions, revokeSession, type SessionClaims } from "./sessions.ts";
import { accountKey, SIGN_IN_LIMITS } from "./sign-in-limits.ts";
import { signUp, signUpInput } from "./sign-up.ts";
import { verifyCredentials, WRONG_CREDENTIALS } from "./verify-credentials.ts";

// Algorithm.Argon2i of @node-rs/argon2, a const enum that erasable TypeScript cannot import.
const ARGON2I = 1;

const env = useTestEnvironment();
const STRONG = "plum-orbit-cactus-lantern";
let counter = 0;
const freshEmail = () => `person${++counter}-${Date.now()}@example.com`;
const freshIp = () => `198.51.100.${++counter % 250}`;
const DEVICE_SECRET = "a-test-secret-that-is-long-enough-for-hmac";

async function appError(work: Promise<unknown>): Promise<AppError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe("sign-up", () => {
  it("creates the account and a workspace the user owns", async () => {
    const email = freshEmail();
    const { user, workspace } = await signUp({ db: env.db, redis: env.redis, ip: freshIp(), email, password: STRONG });
    expect(user.email).toBe(email);
    expect(workspace.slug).toMatch(/^person\d+/);
    const stored = await env.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it("stores emails lower-cased and refuses a duplicate in any case", async () => {
    const email = freshEmail();
    await signUp({ db: env.db, redis: env.redis, ip: freshIp(), ...signUpInput.parse({ email, password: STRONG }) });
    const error = await appError(
      signUp({
        db: env.db,
        redis: env.redis,
        ip: freshIp(),
        ...signUpInput.parse({ email: email.toUpperCase(), password: STRONG }),
      }),
    );
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toMatch(/already exists/);
  });

  it.each([
    ["too short", "Ab1!xyz"],
    ["a common password", "password1234"],
    ["a keyboard pattern", "qwertyuiop123"],
  ])("refuses a weak password (%s) with advice", async (_, password) => {
    const error = await appError(
      signUp({ db: env.db, redis: env.redis, ip: freshIp(), email: freshEmail(), password }),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.details).toEqual({ field: "password" });
  });

  it("refuses a password made from the email", async () => {
    const local = `margaret.hamilton${++counter}`;
    const error = await appError(
      signUp({ db: env.db, redis: env.redis, ip: freshIp(), email: `${local}@example.com`, password: local }),
    );
    expect(error.code).toBe("BAD_REQUEST");
  });

  it("refuses a malformed email", () => {
    const result = signUpInput.safeParse({ email: "not-an-email", password: STRONG });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/valid email/);
  });

  it("limits sign-ups per IP", async () => {
    const ip = freshIp();
    await env.redis.set(`auth:signups:${ip}`, "20", "EX", 3600);
    const error = await appError(signUp({ db: env.db, redis: env.redis, ip, email: freshEmail(), password: STRONG }));
    expect(error.code).toBe("TOO_MANY_REQUESTS");
  });

  it("takes the installation's own limit of sign-ups per IP", async () => {
    const ip = freshIp();
    const signUpFrom = () =>
      signUp({ db: env.db, redis: env.redis, ip, perIpHour: 2, email: freshEmail(), password: STRONG });
    await signUpFrom();
    await signUpFrom();
    expect((await appError(signUpFrom())).code).toBe("TOO_MANY_REQUESTS");
  });
});

describe("sign-in", () => {
  async function account() {
    const email = freshEmail();
    await signUp({ db: env.db, redis: env.redis, ip: freshIp(), email, password: TEST_PASSWORD });
    return email;
  }
  const attempt = (email: string, password: string, ip: string, deviceToken: string | null = null) =>
    verifyCredentials({
      db: env.db,
      redis: env.redis,
      secretBox: createSecretBox({ currentKey: TEST_ENCRYPTION_KEY }),
      email,
      password,
      ip,
      device: { token: deviceToken, secret: DEVICE_SECRET },
    });
  /** 20 failures on the account, each from an address of its own. */
  async function distributedAttack(email: string) {
    for (let i = 0; i < SIGN_IN_LIMITS.account.max; i++) {
      await appError(attempt(email, "wrong password!", `203.0.113.${i}`));
    }
  }

  it("accepts the right password, whatever the email's case", async () => {
    const email = await account();
    const user = await attempt(email.toUpperCase(), TEST_PASSWORD, freshIp());
    expect(user.email).toBe(email);
  });

  it("re-hashes a weaker stored hash at today's cost on a successful sign-in, and keeps a current one", async () => {
    const weak = {
      "argon2id, 4 MiB, 1 pass": await hash(TEST_PASSWORD, { memoryCost: 4096, timeCost: 1, parallelism: 1 }),
      argon2i: await hash(TEST_PASSWORD, { algorithm: ARGON2I, memoryCost: 19_456, timeCost: 2, parallelism: 1 }),
      "argon2id, 1 pass": await hash(TEST_PASSWORD, { memoryCost: 19_456, timeCost: 1, parallelism: 1 }),
    };
    for (const [label, stored] of Object.entries(weak)) {
      const email = await account();
      await env.db.user.update({ where: { email }, data: { passwordHash: stored } });
      // A wrong password leaves the weak hash alone: it is re-hashed only with the right one at hand.
      await expect(attempt(email, "not the password at all", freshIp())).rejects.toThrow(WRONG_CREDENTIALS);
      expect((await env.db.user.findUniqueOrThrow({ where: { email } })).passwordHash, label).toBe(stored);
      const { sessionVersion } = await attempt(email, TEST_PASSWORD, freshIp());
      const after = await env.db.user.findUniqueOrThrow({ where: { email } });
      expect(after.passwordHash, label).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(after.sessionVersion, label).toBe(sessionVersion);
      // The new hash signs in, and is kept as it is.
      await attempt(email, TEST_PASSWORD, freshIp());
      expect((await env.db.user.findUniqueOrThrow({ where: { email } })).passwordHash, label).toBe(after.passwordHash);
    }
  });

  it("gives the same answer to a wrong password and an unknown email", async () => {
    const email = await account();
    const wrongPassword = await appError(attempt(email, "not the password at all", freshIp()));
    const unknownEmail = await appError(attempt(freshEmail(), TEST_PASSWORD, freshIp()));
    expect(wrongPassword.code).toBe("UNAUTHORIZED");
    expect(unknownEmail.code).toBe("UNAUTHORIZED");
    expect(wrongPassword.message).toBe(WRONG_CREDENTIALS);
    expect(unknownEmail.message).toBe(WRONG_CREDENTIALS);
  });

  it("blocks an (account, IP) pair after repeated failures, but not the owner on another IP", async () => {
    const email = await account();
    const attacker = freshIp();
    for (let i = 0; i < SIGN_IN_LIMITS.pair.max; i++) await appError(attempt(email, "wrong password!", attacker));
    const blocked = await appError(attempt(email, TEST_PASSWORD, attacker));
    expect(blocked.code).toBe("TOO_MANY_REQUESTS");
    expect(blocked.message).toMatch(/Try again in \d+ minutes?/);
    const owner = await attempt(email, TEST_PASSWORD, freshIp());
    expect(owner.email).toBe(email);
  });

  it("keeps known IPs working while a distributed attack blocks new ones", async () => {
    const email = await account();
    const home = freshIp();
    await attempt(email, TEST_PASSWORD, home);
    for (let i = 0; i < SIGN_IN_LIMITS.account.max; i++) {
      await appError(attempt(email, "wrong password!", `203.0.113.${i}`));
    }
    const stranger = await appError(attempt(email, TEST_PASSWORD, "192.0.2.77"));
    expect(stranger.code).toBe("TOO_MANY_REQUESTS");
    const fromHome = await attempt(email, TEST_PASSWORD, home);
    expect(fromHome.email).toBe(email);
  });

  it("lets the owner in from their browser's device token after a distributed attack, from any address", async () => {
    const email = await account();
    // The token the web gave this browser at an earlier sign-in.
    const token = issueDeviceToken({ secret: DEVICE_SECRET, email });
    await distributedAttack(email);
    const owner = await attempt(email, TEST_PASSWORD, "192.0.2.200", token);
    expect(owner.email).toBe(email);
    // Also from an address whose own limit the attack used up.
    await env.redis.set("auth:fail:ip:192.0.2.201", String(SIGN_IN_LIMITS.ip.max), "EX", 600);
    expect((await attempt(email, TEST_PASSWORD, "192.0.2.201", token)).email).toBe(email);
  });

  it("limits an account without device tokens or known addresses for a bounded window only", async () => {
    const email = await account();
    await distributedAttack(email);
    const refused = await appError(attempt(email, TEST_PASSWORD, "192.0.2.210"));
    expect(refused.code).toBe("TOO_MANY_REQUESTS");
    const retryAfter = Number(refused.details?.retryAfterSeconds);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(SIGN_IN_LIMITS.account.windowSeconds);
    // Refused attempts do not extend the window.
    await appError(attempt(email, TEST_PASSWORD, "192.0.2.211"));
    expect(await env.redis.ttl(`auth:fail:account:${accountKey(email)}`)).toBeLessThanOrEqual(retryAfter);
    // Once the window is over (here: expired by hand), the owner gets in from anywhere.
    await env.redis.del(`auth:fail:account:${accountKey(email)}`);
    expect((await attempt(email, TEST_PASSWORD, "192.0.2.212")).email).toBe(email);
  });

  it("does not trust a token of another account, a forged one, or one that failed too often", async () => {
    const email = await account();
    const other = await account();
    await distributedAttack(email);
    const othersToken = issueDeviceToken({ secret: DEVICE_SECRET, email: other });
    const forged = issueDeviceToken({ secret: "another-secret-of-enough-length-here", email });
    for (const token of [othersToken, forged, "garbage", `${othersToken}.x`]) {
      expect((await appError(attempt(email, TEST_PASSWORD, "192.0.2.220", token))).code).toBe("TOO_MANY_REQUESTS");
    }
    const stolen = issueDeviceToken({ secret: DEVICE_SECRET, email });
    for (let i = 0; i < SIGN_IN_LIMITS.device.max; i++) {
      await appError(attempt(email, "wrong password!", `192.0.2.${230 + (i % 5)}`, stolen));
    }
    expect((await appError(attempt(email, TEST_PASSWORD, "192.0.2.240", stolen))).code).toBe("TOO_MANY_REQUESTS");
  });

  it("blocks an IP that fails across many accounts", async () => {
    const ip = freshIp();
    await env.redis.set(`auth:fail:ip:${ip}`, String(SIGN_IN_LIMITS.ip.max), "EX", 600);
    const email = await account();
    const error = await appError(attempt(email, TEST_PASSWORD, ip));
    expect(error.code).toBe("TOO_MANY_REQUESTS");
  });

  it("records the sign-in in the audit log of each of the user's workspaces", async () => {
    const email = await account();
    const user = await attempt(email, TEST_PASSWORD, "192.0.2.10");
    const { scoped } = await import("@tributary/db");
    const [membership] = await scoped(env.db, { userId: user.id }, (tx) =>
      tx.membership.findMany({ where: { userId: user.id } }),
    );
    const events = await scoped(env.db, { workspaceId: membership?.workspaceId ?? "" }, (tx) =>
      tx.auditEvent.findMany({ where: { action: "user.signed_in" } }),
    );
    expect(events).toMatchObject([{ actorEmail: email, ip: "192.0.2.10" }]);
  });
});

describe("sessions", () => {
  async function session(): Promise<SessionClaims> {
    const email = freshEmail();
    const { user } = await signUp({ db: env.db, redis: env.redis, ip: freshIp(), email, password: TEST_PASSWORD });
    return { userId: user.id, sessionVersion: 0, sessionId: `s-${++counter}`, expiresAt: Date.now() + 60_000 };
  }

  it("is valid until signed out, then revoked", async () => {
    const claims = await session();
    expect(await currentUser({ db: env.db, redis: env.redis, claims })).not.toBeNull();
    await revokeSession({ redis: env.redis, claims });
    expect(await currentUser({ db: env.db, redis: env.redis, claims })).toBeNull();
  });

  it("signing out one session leaves the others", async () => {
    const claims = await session();
    const other = { ...claims, sessionId: `${claims.sessionId}-laptop` };
    await revokeSession({ redis: env.redis, claims });
    expect(await currentUser({ db: env.db, redis: env.redis, claims: other })).not.toBeNull();
  });

  it("sign-out everywhere revokes every session", async () => {
    const claims = await session();
    await revokeAllSessions({ db: env.db, userId: claims.userId });
    expect(await currentUser({ db: env.db, redis: env.redis, claims })).toBeNull();
  });

  it("a password change revokes every session and needs the current password", async () => {
    const claims = await session();
    const wrong = await appError(
      changePassword({ db: env.db, userId: claims.userId, currentPassword: "nope nope nope", newPassword: STRONG }),
    );
    expect(wrong.details).toEqual({ field: "currentPassword" });
    expect(await currentUser({ db: env.db, redis: env.redis, claims })).not.toBeNull();
    await changePassword({ db: env.db, userId: claims.userId, currentPassword: TEST_PASSWORD, newPassword: STRONG });
    expect(await currentUser({ db: env.db, redis: env.redis, claims })).toBeNull();
  });

  it("an expired session is not valid", async () => {
    const claims = { ...(await session()), expiresAt: Date.now() - 1 };
    expect(await currentUser({ db: env.db, redis: env.redis, claims })).toBeNull();
  });
});
