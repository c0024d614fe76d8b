// Signing in through a workspace's identity provider: find the workspace from a typed work email or workspace
// slug, send the browser to the provider (authorization code flow with PKCE, state and nonce), and on its way
// back exchange the code, check the ID token, and create or update the account and membership just in time with
// the role the groups claim maps to. The web app then turns a one-time ticket into a session.
import { createHash, randomBytes } from "node:crypto";
import { type Db, Prisma, type Role, type SecretBox, scoped, type Tx } from "@tributary/db";
import type { Redis } from "ioredis";
import * as oidc from "openid-client";
import { recordAudit } from "../audit/record-audit.ts";
import { normalizeEmail } from "../auth/email.ts";
import { hashPassword } from "../auth/password-hash.ts";
import type { VerifiedUser } from "../auth/verify-credentials.ts";
import { AppError } from "../errors/app-error.ts";
import { lockOwners } from "../members/owners.ts";
import { discoverProvider } from "./identity-provider.ts";
import { mappedRole, parseRoleMappings, providerAllowHosts, ssoSecretContext } from "./sso-settings.ts";

const FLOW_TTL_SECONDS = 600;
// Starts per IP and ten minutes: each reads a provider's discovery document, so nobody may make us hammer one.
const STARTS_PER_IP = 30;
const TICKET_TTL_SECONDS = 120;
const SCOPES = "openid email profile";
const flowKey = (state: string) => `sso:flow:${state}`;
const ticketKey = (ticket: string) => `sso:ticket:${createHash("sha256").update(ticket).digest("hex")}`;

export const SSO_LINK_EXPIRED =
  "This single sign-on attempt expired or was started in another browser. Start again with “Sign in with SSO”.";

type Flow = { workspaceId: string; codeVerifier: string; nonce: string; redirectUri: string };

export type SsoWorkspace = { id: string; slug: string; name: string };

/** The workspaces with single sign-on that a typed workspace slug or work email names (by its domain). */
export async function findSsoWorkspaces({ db, typed }: { db: Db; typed: string }): Promise<SsoWorkspace[]> {
  const value = typed.trim().toLowerCase();
  const domain = value.includes("@") ? (value.split("@").pop() ?? "") : "";
  const slug = value.includes("@") ? "" : value.replace(/^.*\/w\//, "").replace(/\/.*$/, "");
  const rows = await db.$queryRaw<{ workspace_id: string }[]>`
    SELECT workspace_id::text FROM system_sso_workspaces(${slug}, ${domain})`;
  const found: SsoWorkspace[] = [];
  for (const { workspace_id: id } of rows) {
    const workspace = await scoped(db, { workspaceId: id }, (tx) =>
      tx.workspace.findUniqueOrThrow({ where: { id }, select: { id: true, slug: true, name: true } }),
    );
    found.push(workspace);
  }
  return found;
}

async function loadProvider({
  db,
  secretBox,
  workspaceId,
  operatorAllowedHosts,
}: {
  db: Db;
  secretBox: SecretBox;
  workspaceId: string;
  operatorAllowedHosts?: readonly string[];
}) {
  const config = await scoped(db, { workspaceId }, (tx) =>
    tx.ssoConfig.findUnique({
      where: { workspaceId },
      select: {
        issuer: true,
        clientId: true,
        clientSecret: true,
        allowedDomains: true,
        groupsClaim: true,
        roleMappings: true,
        enabled: true,
        workspace: { select: { slug: true, name: true } },
      },
    }),
  );
  if (!config?.enabled) {
    throw new AppError("NOT_FOUND", "Single sign-on is not set up for this workspace. Sign in with your password.");
  }
  const { allowHosts } = await providerAllowHosts({ db, workspaceId, operatorAllowedHosts });
  const client = await discoverProvider({
    issuer: config.issuer,
    clientId: config.clientId,
    clientSecret: secretBox.open(config.clientSecret, ssoSecretContext(workspaceId)),
    allowHosts,
  }).catch((error: unknown) => {
    // The owner can fix a provider; the person signing in can only report it.
    if (error instanceof AppError) {
      throw new AppError("UNAVAILABLE", `The workspace's identity provider cannot be reached: ${error.message}`);
    }
    throw error;
  });
  return { config, client };
}

/**
 * Where to send the browser: the provider's authorization URL for the one workspace `typed` names. `state` is
 * for the browser's cookie, so the answer is taken only in the browser that asked.
 */
export async function startSsoSignIn({
  db,
  redis,
  secretBox,
  typed,
  redirectUri,
  ip,
  operatorAllowedHosts,
}: {
  db: Db;
  redis: Redis;
  secretBox: SecretBox;
  typed: string;
  redirectUri: string;
  ip: string;
  operatorAllowedHosts?: readonly string[];
}): Promise<{ authorizationUrl: string; state: string; workspace: SsoWorkspace }> {
  const limitKey = `sso:starts:${ip}`;
  const [[, count] = []] = (await redis.multi().incr(limitKey).expire(limitKey, FLOW_TTL_SECONDS, "NX").exec()) ?? [];
  if (Number(count) > STARTS_PER_IP) {
    throw new AppError(
      "TOO_MANY_REQUESTS",
      "Too many single sign-on attempts from your network. Try again in a few minutes.",
      {
        retryAfterSeconds: await redis.ttl(limitKey),
      },
    );
  }
  if (!typed.trim()) {
    throw new AppError("BAD_REQUEST", "Enter your work email or your workspace's address.", { field: "for" });
  }
  const found = await findSsoWorkspaces({ db, typed });
  const [workspace] = found;
  if (!workspace) {
    throw new AppError(
      "NOT_FOUND",
      `No workspace uses single sign-on for “${typed.trim()}”. Check it, or sign in with your email and password.`,
      { field: "for" },
    );
  }
  if (found.length > 1) {
    throw new AppError(
      "CONFLICT",
      `Several workspaces use single sign-on for that email domain (${found.map((w) => w.slug).join(", ")}). Enter your workspace's address instead.`,
      { field: "for" },
    );
  }
  const { client } = await loadProvider({ db, secretBox, workspaceId: workspace.id, operatorAllowedHosts });
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const flow: Flow = { workspaceId: workspace.id, codeVerifier, nonce, redirectUri };
  await redis.set(flowKey(state), JSON.stringify(flow), "EX", FLOW_TTL_SECONDS);
  const url = oidc.buildAuthorizationUrl(client, {
    redirect_uri: redirectUri,
    scope: SCOPES,
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    ...(typed.includes("@") ? { login_hint: typed.trim() } : {}),
  });
  return { authorizationUrl: url.href, state, workspace };
}

export type SsoSignIn = { user: VerifiedUser; workspace: SsoWorkspace; role: Role };

/**
 * The provider's answer at the callback URL: checks state (against the browser's cookie), PKCE and the ID token
 * (issuer, audience, nonce, signature), then signs the person in to the workspace (see applySsoSignIn).
 */
export async function finishSsoSignIn({
  db,
  redis,
  secretBox,
  callbackUrl,
  browserState,
  ip,
  operatorAllowedHosts,
}: {
  db: Db;
  redis: Redis;
  secretBox: SecretBox;
  callbackUrl: URL;
  browserState: string | undefined;
  ip: string;
  operatorAllowedHosts?: readonly string[];
}): Promise<SsoSignIn> {
  const state = callbackUrl.searchParams.get("state");
  if (!state || !browserState || state !== browserState) throw new AppError("BAD_REQUEST", SSO_LINK_EXPIRED);
  const saved = await redis.getdel(flowKey(state));
  if (!saved) throw new AppError("BAD_REQUEST", SSO_LINK_EXPIRED);
  const flow = JSON.parse(saved) as Flow;
  const providerError = callbackUrl.searchParams.get("error");
  if (providerError) {
    const description = callbackUrl.searchParams.get("error_description");
    throw new AppError(
      "UNAUTHORIZED",
      `The identity provider did not sign you in (${description ?? providerError}). Try again, or ask your administrator.`,
    );
  }
  const { client } = await loadProvider({ db, secretBox, workspaceId: flow.workspaceId, operatorAllowedHosts });
  // The redirect URI is the one sent at the start, whatever host the answer came back to.
  const answered = new URL(flow.redirectUri);
  answered.search = callbackUrl.search;
  let claims: Record<string, unknown>;
  try {
    const tokens = await oidc.authorizationCodeGrant(client, answered, {
      pkceCodeVerifier: flow.codeVerifier,
      expectedState: state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const idToken = tokens.claims();
    if (!idToken) throw new Error("the provider sent no ID token");
    const userInfo = client.serverMetadata().userinfo_endpoint
      ? await oidc.fetchUserInfo(client, tokens.access_token, idToken.sub)
      : {};
    claims = { ...userInfo, ...idToken };
  } catch (error) {
    throw new AppError(
      "UNAUTHORIZED",
      `Single sign-on failed: the identity provider's answer was not accepted (${error instanceof Error ? error.message : String(error)}). Try again.`,
    );
  }
  return applySsoSignIn({ db, workspaceId: flow.workspaceId, claims, ip });
}

/** The groups a claim lists: an array of names, or one name. */
function groupsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((group): group is string => typeof group === "string");
  return typeof value === "string" ? [value] : [];
}

/**
 * Signs a person the provider vouched for in to the workspace: their email must be in an allowed domain (and not
 * marked unverified), their groups must map to a role. The account and membership are created the first time;
 * the role is set from the mapping at every sign-in (the last owner is never demoted). An existing account that
 * is not a member is not taken over by the workspace's provider: it must join by invitation first.
 */
export async function applySsoSignIn({
  db,
  workspaceId,
  claims,
  ip,
}: {
  db: Db;
  workspaceId: string;
  claims: Record<string, unknown>;
  ip: string;
}): Promise<SsoSignIn> {
  const subject = typeof claims.sub === "string" ? claims.sub : "";
  const email = typeof claims.email === "string" ? normalizeEmail(claims.email) : "";
  if (!subject || !email.includes("@")) {
    throw new AppError(
      "UNAUTHORIZED",
      "The identity provider sent no email address. Ask your administrator to release the email claim to Tributary.",
    );
  }
  const config = await scoped(db, { workspaceId }, (tx) =>
    tx.ssoConfig.findUniqueOrThrow({
      where: { workspaceId },
      select: {
        allowedDomains: true,
        groupsClaim: true,
        roleMappings: true,
        workspace: { select: { id: true, slug: true, name: true } },
      },
    }),
  );
  const { workspace } = config;
  const groups = groupsOf(claims[config.groupsClaim]);
  // A refusal is in the workspace's audit log too, so its owner can see why someone could not get in.
  const refuse = async (reason: string, message: string): Promise<never> => {
    await scoped(db, { workspaceId }, (tx) =>
      recordAudit({
        tx,
        workspaceId,
        actor: null,
        action: "sso.refused",
        details: { email, subject, groups, reason, ip },
      }),
    );
    throw new AppError("FORBIDDEN", message);
  };
  if (claims.email_verified === false) {
    await refuse("email not verified", `The identity provider has not verified ${email}. Verify it there first.`);
  }
  const domain = email.split("@").pop() ?? "";
  if (!config.allowedDomains.includes(domain)) {
    await refuse(
      "email domain not allowed",
      `${email} cannot sign in to ${workspace.name} with single sign-on: it accepts only ${config.allowedDomains.map((d) => `@${d}`).join(", ")} addresses.`,
    );
  }
  const role = mappedRole({ mappings: parseRoleMappings(config.roleMappings), groups });
  if (!role) {
    return refuse(
      "no mapped group",
      `None of your groups at the identity provider (${groups.join(", ") || `no “${config.groupsClaim}” claim`}) gives a role in ${workspace.name}. Ask the workspace's owner to map one of them.`,
    );
  }
  const name = typeof claims.name === "string" ? claims.name.slice(0, 80) : null;
  const userId = await accountFor({ db, workspaceId, subject, email, name, workspaceName: workspace.name });
  const actor = { userId, email, ip };
  const applied = await scoped(db, { workspaceId }, async (tx) => {
    const before = await tx.membership.findUnique({
      where: { workspaceId_userId: { workspaceId, userId } },
      select: { role: true },
    });
    const granted = await grantedRole({ tx, workspaceId, userId, before: before?.role ?? null, mapped: role });
    if (!before) {
      await tx.membership.create({ data: { workspaceId, userId, role: granted } });
      await recordAudit({ tx, workspaceId, actor, action: "member.joined", details: { role: granted, via: "sso" } });
    } else if (before.role !== granted) {
      await tx.membership.update({ where: { workspaceId_userId: { workspaceId, userId } }, data: { role: granted } });
      await recordAudit({
        tx,
        workspaceId,
        actor,
        action: "member.role_changed",
        target: { type: "user", id: userId },
        details: { from: before.role, to: granted, via: "sso", groups },
      });
    }
    await tx.ssoIdentity.upsert({
      where: { workspaceId_subject: { workspaceId, subject } },
      create: { workspaceId, subject, userId },
      update: { lastSignInAt: new Date() },
    });
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "sso.signed_in",
      details: { subject, role: granted, groups, joined: !before },
    });
    return granted;
  });
  const user = await db.user.findUniqueOrThrow({
    where: { id: userId },
    select: { id: true, email: true, name: true, sessionVersion: true },
  });
  return { user, workspace, role: applied };
}

/** The mapped role, except that the workspace's last owner stays owner (else nobody could manage it). */
async function grantedRole({
  tx,
  workspaceId,
  userId,
  before,
  mapped,
}: {
  tx: Tx;
  workspaceId: string;
  userId: string;
  before: Role | null;
  mapped: Role;
}): Promise<Role> {
  if (before !== "owner" || mapped === "owner") return mapped;
  const owners = await lockOwners({ tx, workspaceId });
  return owners.length === 1 && owners[0] === userId ? "owner" : mapped;
}

/** The account of the provider's `subject`: linked before, a member with that email, or a new account. */
async function accountFor({
  db,
  workspaceId,
  subject,
  email,
  name,
  workspaceName,
}: {
  db: Db;
  workspaceId: string;
  subject: string;
  email: string;
  name: string | null;
  workspaceName: string;
}): Promise<string> {
  const linked = await scoped(db, { workspaceId }, (tx) =>
    tx.ssoIdentity.findUnique({ where: { workspaceId_subject: { workspaceId, subject } }, select: { userId: true } }),
  );
  if (linked) return linked.userId;
  const existing = await db.user.findUnique({ where: { email }, select: { id: true, isDemo: true } });
  if (existing) {
    const member = await scoped(db, { workspaceId }, (tx) =>
      tx.membership.findUnique({
        where: { workspaceId_userId: { workspaceId, userId: existing.id } },
        select: { role: true },
      }),
    );
    if (!member || existing.isDemo) {
      throw new AppError(
        "CONFLICT",
        `An account with ${email} already exists and is not a member of ${workspaceName}. Sign in with your password and accept an invitation to the workspace; single sign-on then links to your account.`,
      );
    }
    return existing.id;
  }
  // Signed in by the provider only: a random password nobody knows (a password reset can set one later).
  const passwordHash = await hashPassword(randomBytes(32).toString("base64url"));
  try {
    const created = await db.user.create({
      data: { email, name, passwordHash, emailVerifiedAt: new Date() },
      select: { id: true },
    });
    return created.id;
  } catch (error) {
    // Two first sign-ins at once: the other made the account; link to it as a member would be.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const user = await db.user.findUniqueOrThrow({ where: { email }, select: { id: true } });
      return user.id;
    }
    throw error;
  }
}

/** A single-use ticket the web app's sign-in exchanges for a session (kept hashed, for two minutes). */
export async function issueSsoTicket({
  redis,
  userId,
  workspaceId,
}: {
  redis: Redis;
  userId: string;
  workspaceId: string;
}): Promise<string> {
  const ticket = randomBytes(32).toString("base64url");
  await redis.set(ticketKey(ticket), JSON.stringify({ userId, workspaceId }), "EX", TICKET_TTL_SECONDS);
  return ticket;
}

/** The user and workspace of a ticket, which is used up; null when it is unknown, used or expired. */
export async function claimSsoTicket({
  db,
  redis,
  ticket,
}: {
  db: Db;
  redis: Redis;
  ticket: string;
}): Promise<{ user: VerifiedUser; workspaceId: string } | null> {
  if (!ticket) return null;
  const saved = await redis.getdel(ticketKey(ticket));
  if (!saved) return null;
  const { userId, workspaceId } = JSON.parse(saved) as { userId: string; workspaceId: string };
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, name: true, sessionVersion: true },
  });
  return user ? { user, workspaceId } : null;
}
