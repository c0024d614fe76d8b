// Rotating ENCRYPTION_KEY end to end, twice (A → B → C): the first re-seal runs as the worker's
// `secrets.reseal` job, the second as `npm run secrets:reseal`'s script; each reports its rows per table, a
// second run finds nothing left, and after the second rotation key C alone opens every secret, connection
// security rule and alert rule of every workspace, and the owners' TOTP secrets.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  createAlertRule,
  createSecretBox,
  createSecurityRule,
  loadConnection,
  openAlertTarget,
  openSecurityRules,
  openWorkspaceSecrets,
  type ResealReport,
  resealAll,
  type SecretBox,
  saveConnection,
  setSecret,
  ssoSecretContext,
  startTwoFactor,
} from "@tributary/core";
import { scoped } from "@tributary/db";
import { workerConnectionOptions } from "@tributary/queue";
import { QueueEvents } from "bullmq";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { TEST_REDIS_URL } from "../support/services.ts";
import { startWorker, type WorkerProcess } from "../support/worker-process.ts";

const env = useTestEnvironment();
const [A, B, C] = [0, 1, 2].map(() => randomBytes(32).toString("base64")) as [string, string, string];
let worker: WorkerProcess | undefined;
afterAll(async () => {
  await worker?.stop();
});

type Sealed = {
  workspace: SeededWorkspace;
  connectionId: string;
  ruleId: string;
  alertRuleId: string;
  totpSecret: string;
};

async function sealEverything(secretBox: SecretBox): Promise<Sealed> {
  const workspace = await seedWorkspace({ db: env.db });
  const base = { db: env.db, secretBox, workspaceId: workspace.workspace.id, actor: workspace.owner.actor };
  await setSecret({ ...base, name: "API_TOKEN", value: "token-value" });
  await setSecret({ ...base, name: "OTHER", value: "other-value" });
  const { id: connectionId } = await saveConnection({
    ...base,
    name: "Cache",
    type: "redis",
    config: { host: "redis.example.com", password: "connection-password" },
  });
  const { ruleId } = await createSecurityRule({
    ...base,
    name: "Partner",
    domain: "default",
    type: "basic",
    config: { username: "partner" },
  });
  const { rule: alertRule } = await createAlertRule({
    ...base,
    name: "Pager",
    flowId: null,
    event: "run_failed",
    threshold: null,
    channel: "webhook",
    emailTo: [],
    url: "https://pager.example.com/hooks/secret-path",
    targetFlowId: null,
    intervalSeconds: 600,
    enabled: true,
  });
  const { secret: totpSecret } = await startTwoFactor({ db: env.db, secretBox, userId: workspace.owner.id });
  // Single sign-on is saved only after its provider answered; the sealed row is what rotation is about.
  const workspaceId = workspace.workspace.id;
  await scoped(env.db, { workspaceId }, (tx) =>
    tx.ssoConfig.create({
      data: {
        workspaceId,
        issuer: "https://login.example.com",
        clientId: "tributary",
        clientSecret: secretBox.seal("sso-client-secret", ssoSecretContext(workspaceId)),
        allowedDomains: ["example.com"],
        roleMappings: [{ group: "eng", role: "editor" }],
      },
    }),
  );
  return { workspace, connectionId, ruleId, alertRuleId: alertRule.id, totpSecret };
}

/** Everything opens with this box alone, with the values first sealed. */
async function expectOpens(secretBox: SecretBox, { workspace, connectionId, ruleId, alertRuleId, totpSecret }: Sealed) {
  const workspaceId = workspace.workspace.id;
  const secrets = await openWorkspaceSecrets({ db: env.db, secretBox, workspaceId });
  expect(secrets).toEqual({ values: { API_TOKEN: "token-value", OTHER: "other-value" }, unreadable: {} });
  const connection = await loadConnection({ db: env.db, secretBox, workspaceId, connectionId });
  expect(connection.config).toMatchObject({ host: "redis.example.com", password: "connection-password" });
  const rules = await openSecurityRules({ db: env.db, secretBox, workspaceId });
  expect(rules.get(ruleId)?.secret).toMatchObject({ password: expect.any(String) });
  const alertRule = await scoped(env.db, { workspaceId }, (tx) =>
    tx.alertRule.findUniqueOrThrow({ where: { id: alertRuleId } }),
  );
  expect(openAlertTarget({ secretBox, workspaceId, ruleId: alertRuleId, sealed: alertRule.secret })).toMatchObject({
    url: "https://pager.example.com/hooks/secret-path",
    signingSecret: expect.stringMatching(/^whsec_/),
  });
  const owner = await env.db.user.findUniqueOrThrow({ where: { id: workspace.owner.id } });
  expect(secretBox.open(owner.totpSecret ?? new Uint8Array(), `user:${owner.id}:totp`)).toBe(totpSecret);
  const sso = await scoped(env.db, { workspaceId }, (tx) => tx.ssoConfig.findUniqueOrThrow({ where: { workspaceId } }));
  expect(secretBox.open(sso.clientSecret, ssoSecretContext(workspaceId))).toBe("sso-client-secret");
}

/** The key ids every sealed value names, across all workspaces. */
async function keyIdsInUse(): Promise<string[]> {
  const admin = new pg.Client({ connectionString: env.databaseUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ id: string }>(`
      SELECT DISTINCT encode(substring(v from 2 for 8), 'hex') AS id FROM (
        SELECT ciphertext AS v FROM secrets
        UNION ALL SELECT secret_config FROM connections WHERE secret_config IS NOT NULL
        UNION ALL SELECT secret FROM security_rules WHERE secret IS NOT NULL
        UNION ALL SELECT secret FROM alert_rules WHERE secret IS NOT NULL
        UNION ALL SELECT client_secret FROM sso_configs
        UNION ALL SELECT totp_secret FROM users WHERE totp_secret IS NOT NULL) sealed`);
    return rows.map((row) => row.id).sort();
  } finally {
    await admin.end();
  }
}

/** `npm run secrets:reseal`, as an operator runs it. */
function resealCommand({ current, previous }: { current: string; previous: string }) {
  return spawnSync(process.execPath, ["scripts/secrets-reseal.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: env.redisPrefix,
      AUTH_SECRET: "not-used-by-this-command",
      ENCRYPTION_KEY: current,
      ENCRYPTION_PREVIOUS_KEYS: previous,
    },
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe("encryption key rotation", () => {
  it("re-seals everything under the new key twice, after which only the newest key is needed", async () => {
    const boxA = createSecretBox({ currentKey: A });
    const first = await sealEverything(boxA);
    const second = await sealEverything(boxA);

    // Rotation 1: B is current, A is kept as a previous key; the workers' job re-seals.
    const boxB = createSecretBox({ currentKey: B, previousKeys: [A] });
    const third = await sealEverything(boxB); // sealed under B already: nothing to do for it
    worker = await startWorker({
      databaseUrl: env.databaseUrl,
      redisPrefix: env.redisPrefix,
      env: { ENCRYPTION_KEY: B, ENCRYPTION_PREVIOUS_KEYS: A },
    });
    const events = new QueueEvents("operations", {
      connection: workerConnectionOptions(TEST_REDIS_URL),
      prefix: `${env.redisPrefix}bull`,
    });
    let report: ResealReport;
    try {
      await events.waitUntilReady();
      const job = await env.queue.enqueue("secrets.reseal", { schemaVersion: 1 }, { jobId: "secrets-reseal" });
      report = (await job.waitUntilFinished(events, 60_000)) as ResealReport;
    } finally {
      await events.close();
    }
    expect(report.tables).toEqual({
      secrets: { resealed: 4, unreadable: 0 },
      connections: { resealed: 2, unreadable: 0 },
      security_rules: { resealed: 2, unreadable: 0 },
      alert_rules: { resealed: 2, unreadable: 0 },
      sso_configs: { resealed: 2, unreadable: 0 },
      users: { resealed: 2, unreadable: 0 },
    });
    expect(report.problems).toEqual([]);
    expect(report.workspaces).toBe(2); // the third workspace was sealed under B from the start
    expect(await keyIdsInUse()).toEqual([boxB.currentKeyId]);
    // Idempotent: a second run finds nothing left to do.
    const again = await resealAll({ db: env.db, secretBox: boxB });
    expect(Object.values(again.tables).every((counts) => counts.resealed === 0)).toBe(true);
    expect(again.workspaces).toBe(0);

    // Rotation 2: C is current, B the previous key (A is dropped); the operator's command re-seals.
    const reseal = resealCommand({ current: C, previous: B });
    expect(reseal.status, reseal.stderr).toBe(0);
    // Its table: each table's name with the rows it re-sealed (4 secrets + 2 more of the third workspace…).
    expect(reseal.stdout).toMatch(/secrets\s*│\s*6\s*│\s*0/);
    expect(reseal.stdout).toMatch(/connections\s*│\s*3\s*│\s*0/);
    expect(reseal.stdout).toMatch(/security_rules\s*│\s*3\s*│\s*0/);
    expect(reseal.stdout).toMatch(/alert_rules\s*│\s*3\s*│\s*0/);
    expect(reseal.stdout).toMatch(/sso_configs\s*│\s*3\s*│\s*0/);
    expect(reseal.stdout).toMatch(/users\s*│\s*3\s*│\s*0/);

    const onlyC = createSecretBox({ currentKey: C });
    expect(await keyIdsInUse()).toEqual([onlyC.currentKeyId]);
    for (const sealed of [first, second, third]) await expectOpens(onlyC, sealed);
  }, 120_000);

  it("names what no configured key opens, leaves it as it was, and the command fails", async () => {
    const boxC = createSecretBox({ currentKey: C });
    const sealed = await sealEverything(createSecretBox({ currentKey: A }));
    const command = resealCommand({ current: C, previous: B });
    expect(command.status).toBe(1);
    expect(command.stderr).toMatch(
      /API_TOKEN \(workspace [0-9a-f-]+\): The key [0-9a-f]+ that sealed this secret is not configured/,
    );
    expect(command.stderr).toMatch(/could not be opened: they keep their old key/);
    const report = await resealAll({ db: env.db, secretBox: boxC });
    expect(report.tables.secrets.unreadable).toBeGreaterThanOrEqual(2);
    expect(report.problems).toContainEqual(
      expect.objectContaining({
        table: "secrets",
        workspaceId: sealed.workspace.workspace.id,
        row: "API_TOKEN",
        reason: expect.stringMatching(/is not configured \(ENCRYPTION_KEY \/ ENCRYPTION_PREVIOUS_KEYS\)/),
      }),
    );
    // With A given back as a previous key, the same values re-seal.
    await expectOpens(createSecretBox({ currentKey: C, previousKeys: [A] }), sealed);
    const fixed = await resealAll({ db: env.db, secretBox: createSecretBox({ currentKey: C, previousKeys: [A] }) });
    expect(fixed.problems).toEqual([]);
    await expectOpens(boxC, sealed);
  });
});
