import { accountRouter } from "./routers/account.ts";
import { alertsRouter } from "./routers/alerts.ts";
import { apiKeysRouter } from "./routers/api-keys.ts";
import { auditRouter } from "./routers/audit.ts";
import { authRouter } from "./routers/auth.ts";
import { connectionsRouter } from "./routers/connections.ts";
import { deadLettersRouter } from "./routers/dead-letters.ts";
import { exportsRouter } from "./routers/exports.ts";
import { flowsRouter } from "./routers/flows.ts";
import { invitesRouter } from "./routers/invites.ts";
import { membersRouter } from "./routers/members.ts";
import { runsRouter } from "./routers/runs.ts";
import { secretsRouter } from "./routers/secrets.ts";
import { securityRouter } from "./routers/security.ts";
import { settingsRouter } from "./routers/settings.ts";
import { ssoRouter } from "./routers/sso.ts";
import { topicsRouter } from "./routers/topics.ts";
import { workspacesRouter } from "./routers/workspaces.ts";
import { createCallerFactory, router } from "./trpc.ts";

export const appRouter = router({
  auth: authRouter,
  account: accountRouter,
  workspaces: workspacesRouter,
  members: membersRouter,
  invites: invitesRouter,
  audit: auditRouter,
  settings: settingsRouter,
  sso: ssoRouter,
  flows: flowsRouter,
  runs: runsRouter,
  deadLetters: deadLettersRouter,
  connections: connectionsRouter,
  secrets: secretsRouter,
  security: securityRouter,
  alerts: alertsRouter,
  apiKeys: apiKeysRouter,
  topics: topicsRouter,
  exports: exportsRouter,
});

export type AppRouter = typeof appRouter;

/** Calls procedures in-process: server components and tests. */
export const createCaller = createCallerFactory(appRouter);
