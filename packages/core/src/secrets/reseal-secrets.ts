// Key rotation's second half: every value sealed with ENCRYPTION_KEY (secrets, connections' secret fields,
// security rules' credentials, alert rules' targets, single sign-on client secrets, and outside workspaces the
// users' TOTP secrets) is opened with whichever key sealed it and sealed again under the current key,
// so the retired keys can be dropped. Rows already under the current key are skipped in SQL, so a second run
// (or one that resumes after a crash) does only what is left; a row changed meanwhile is left as it is.
import { type Db, type SecretBox, SecretBoxError, scoped, type Tx } from "@tributary/db";
import { alertRuleContext } from "../alerts/alert-rules.ts";
import { totpSecretContext } from "../auth/two-factor.ts";
import { connectionContext } from "../connections/connection-secrets.ts";
import { ruleContext } from "../security/security-rules.ts";
import { ssoSecretContext } from "../sso/sso-settings.ts";
import { secretContext } from "./secret-names.ts";

type SealedColumn = {
  table: "secrets" | "connections" | "security_rules" | "alert_rules" | "sso_configs";
  column: string;
  /** What the sealing context names the row by. */
  key: "name" | "id" | "workspace_id";
  context: (workspaceId: string, key: string) => string;
};

// The identifiers below are constants, never input: they are spliced into SQL.
const SEALED_COLUMNS: readonly SealedColumn[] = [
  {
    table: "secrets",
    column: "ciphertext",
    key: "name",
    context: (workspaceId, name) => secretContext({ workspaceId, name }),
  },
  {
    table: "connections",
    column: "secret_config",
    key: "id",
    context: (workspaceId, connectionId) => connectionContext({ workspaceId, connectionId }),
  },
  {
    table: "security_rules",
    column: "secret",
    key: "id",
    context: (workspaceId, ruleId) => ruleContext({ workspaceId, ruleId }),
  },
  {
    table: "alert_rules",
    column: "secret",
    key: "id",
    context: (workspaceId, ruleId) => alertRuleContext({ workspaceId, ruleId }),
  },
  {
    table: "sso_configs",
    column: "client_secret",
    key: "workspace_id",
    context: (workspaceId) => ssoSecretContext(workspaceId),
  },
];

/** The workspaces' tables, and users (their TOTP secrets). */
export type ResealTable = SealedColumn["table"] | "users";
export type ResealCounts = { resealed: number; unreadable: number };
export type ResealReport = {
  tables: Record<ResealTable, ResealCounts>;
  /** Rows no configured key opens (tampered, or sealed with a key no longer given): they keep their old key. */
  problems: { table: ResealTable; workspaceId?: string; row: string; reason: string }[];
  /** Workspaces that held a value under another key. */
  workspaces: number;
};

const ROWS_PER_TRANSACTION = 200;

export async function resealAll({
  db,
  secretBox,
  workspacesPerPage = 100,
  onWorkspace,
}: {
  db: Db;
  secretBox: SecretBox;
  workspacesPerPage?: number;
  /** Called after each workspace, with the report so far: progress for a job. */
  onWorkspace?: (report: ResealReport) => Promise<void> | void;
}): Promise<ResealReport> {
  const report: ResealReport = {
    tables: {
      secrets: { resealed: 0, unreadable: 0 },
      connections: { resealed: 0, unreadable: 0 },
      security_rules: { resealed: 0, unreadable: 0 },
      alert_rules: { resealed: 0, unreadable: 0 },
      sso_configs: { resealed: 0, unreadable: 0 },
      users: { resealed: 0, unreadable: 0 },
    },
    problems: [],
    workspaces: 0,
  };
  let after: string | null = null;
  for (;;) {
    // Only workspaces still holding a value under another key: a second run, or one after a crash, visits only
    // what is left.
    const { rows }: { rows: { workspace_id: string }[] } = await db.sql.query<{ workspace_id: string }>(
      "SELECT workspace_id FROM system_workspaces_to_reseal(decode($1, 'hex'), $2, $3)",
      [secretBox.currentKeyId, after, workspacesPerPage],
    );
    for (const { workspace_id: workspaceId } of rows) {
      for (const sealed of SEALED_COLUMNS) await resealColumn({ db, secretBox, workspaceId, sealed, report });
      report.workspaces++;
      await onWorkspace?.(report);
    }
    if (rows.length < workspacesPerPage) break;
    after = rows.at(-1)?.workspace_id ?? null;
  }
  await resealTotpSecrets({ db, secretBox, report });
  return report;
}

/** Users' TOTP secrets belong to no workspace: one pass over the users table, in pages. */
async function resealTotpSecrets({ db, secretBox, report }: { db: Db; secretBox: SecretBox; report: ResealReport }) {
  let after = "";
  for (;;) {
    const rows = await db.$queryRawUnsafe<{ id: string; sealed: Uint8Array }[]>(
      `SELECT id::text AS id, totp_secret AS sealed FROM users
       WHERE totp_secret IS NOT NULL AND id::text > $1 AND substring(totp_secret from 2 for 8) <> decode($2, 'hex')
       ORDER BY id::text LIMIT ${ROWS_PER_TRANSACTION}`,
      after,
      secretBox.currentKeyId,
    );
    for (const row of rows) {
      let plaintext: string;
      try {
        plaintext = secretBox.open(row.sealed, totpSecretContext(row.id));
      } catch (error) {
        if (!(error instanceof SecretBoxError)) throw error;
        report.tables.users.unreadable++;
        report.problems.push({ table: "users", row: row.id, reason: error.message });
        continue;
      }
      const updated = await db.$executeRawUnsafe(
        "UPDATE users SET totp_secret = $1 WHERE id = $2::uuid AND totp_secret = $3",
        Buffer.from(secretBox.seal(plaintext, totpSecretContext(row.id))),
        row.id,
        Buffer.from(row.sealed),
      );
      if (updated === 1) report.tables.users.resealed++;
    }
    if (rows.length < ROWS_PER_TRANSACTION) return;
    after = rows.at(-1)?.id ?? after;
  }
}

async function resealColumn({
  db,
  secretBox,
  workspaceId,
  sealed,
  report,
}: {
  db: Db;
  secretBox: SecretBox;
  workspaceId: string;
  sealed: SealedColumn;
  report: ResealReport;
}): Promise<void> {
  const { table, column, key } = sealed;
  let after = "";
  for (;;) {
    const page = await scoped(db, { workspaceId }, async (tx) => {
      // Envelope byte 1..8 is the id of the key that sealed it (packages/db/src/secret-box.ts).
      const rows = await tx.$queryRawUnsafe<{ key: string; sealed: Uint8Array }[]>(
        `SELECT ${key}::text AS key, ${column} AS sealed FROM ${table}
         WHERE workspace_id = $1::uuid AND ${column} IS NOT NULL AND ${key}::text > $2
           AND substring(${column} from 2 for 8) <> decode($3, 'hex')
         ORDER BY ${key}::text LIMIT ${ROWS_PER_TRANSACTION}`,
        workspaceId,
        after,
        secretBox.currentKeyId,
      );
      for (const row of rows) await resealRow({ tx, secretBox, workspaceId, sealed, row, report });
      return rows;
    });
    if (page.length < ROWS_PER_TRANSACTION) return;
    after = page.at(-1)?.key ?? after;
  }
}

async function resealRow({
  tx,
  secretBox,
  workspaceId,
  sealed: { table, column, key, context },
  row,
  report,
}: {
  tx: Tx;
  secretBox: SecretBox;
  workspaceId: string;
  sealed: SealedColumn;
  row: { key: string; sealed: Uint8Array };
  report: ResealReport;
}): Promise<void> {
  let plaintext: string;
  try {
    plaintext = secretBox.open(row.sealed, context(workspaceId, row.key));
  } catch (error) {
    if (!(error instanceof SecretBoxError)) throw error;
    report.tables[table].unreadable++;
    report.problems.push({ table, workspaceId, row: row.key, reason: error.message });
    return;
  }
  // Only if the row still holds what was read: a value saved meanwhile is already under the current key.
  const updated = await tx.$executeRawUnsafe(
    `UPDATE ${table} SET ${column} = $1 WHERE workspace_id = $2::uuid AND ${key}::text = $3 AND ${column} = $4`,
    Buffer.from(secretBox.seal(plaintext, context(workspaceId, row.key))),
    workspaceId,
    row.key,
    Buffer.from(row.sealed),
  );
  if (updated === 1) report.tables[table].resealed++;
}
