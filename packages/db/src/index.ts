export { APP_ROLE, type CreateDbOptions, createDb, type Db } from "./client.ts";
export { retryOnDeadlock } from "./deadlocks.ts";
export type { AuditEvent, Invite, Membership, Plan, User, Workspace } from "./generated/prisma/client.ts";
export { Prisma, Role } from "./generated/prisma/client.ts";
export { type Scope, type ScopedOptions, scoped, type Tx } from "./scope.ts";
export { createSecretBox, type SecretBox, SecretBoxError } from "./secret-box.ts";
export {
  type PreparedStatement,
  type SqlClient,
  type SqlPool,
  type Statement,
  sqlInWorkspace,
  sqlStatementInWorkspace,
  sqlStatementsInWorkspace,
  uuidv7,
  uuidv7Floor,
} from "./sql.ts";
