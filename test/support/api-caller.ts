// Calls the tRPC API in-process as a given user, the way the web app's route does after authentication.
import { createCaller, createContext, createRestHandler } from "@tributary/api";
import { createSecretBox, type Db, type Mailer } from "@tributary/core";
import type { SeededUser } from "../factories/seed.ts";
import type { TestEnvironment } from "./environment.ts";
import { TEST_ENCRYPTION_KEY } from "./worker-process.ts";

export type Caller = ReturnType<typeof createCaller>;

export function callerFor({
  env,
  user,
  mailer = null,
  emailVerification = false,
  ip = "127.0.0.1",
  ssoWorkspaceId,
  operatorAllowedHosts,
}: {
  env: TestEnvironment;
  user: SeededUser | null;
  mailer?: Mailer | null;
  emailVerification?: boolean;
  ip?: string;
  /** A session made by this workspace's single sign-on (a password session without it). */
  ssoWorkspaceId?: string;
  operatorAllowedHosts?: readonly string[];
}): Caller {
  return createCaller(
    createContext({
      deps: {
        db: env.db,
        redis: env.redis,
        queue: env.queue,
        secretBox: createSecretBox({ currentKey: TEST_ENCRYPTION_KEY }),
        mailer,
        emailVerification,
        appUrl: "http://localhost:3000",
        ...(operatorAllowedHosts ? { operatorAllowedHosts } : {}),
      },
      request: {
        user: user ? { id: user.id, email: user.email, name: null } : null,
        session: user
          ? {
              userId: user.id,
              sessionVersion: 0,
              sessionId: `test-${user.id}`,
              expiresAt: Date.now() + 3_600_000,
              ...(ssoWorkspaceId ? { ssoWorkspaceId } : {}),
            }
          : null,
        ip,
      },
    }),
  );
}

/** The REST API's handler over the test environment, built as the web process builds it. */
export function restHandlerFor({
  env,
  db = env.db,
  clientIp = () => "192.0.2.1",
  onUnexpectedError,
}: {
  env: TestEnvironment;
  db?: Db;
  clientIp?: (request: Request) => string;
  onUnexpectedError?: (error: unknown, where: string) => void;
}): ReturnType<typeof createRestHandler> {
  return createRestHandler({
    db,
    redis: env.redis,
    queue: env.queue,
    secretBox: createSecretBox({ currentKey: TEST_ENCRYPTION_KEY }),
    mailer: null,
    emailVerification: false,
    appUrl: "http://localhost:3000",
    clientIp,
    ...(onUnexpectedError ? { onUnexpectedError } : {}),
  });
}

/** The procedure at a dotted path ("members.changeRole") of a caller. */
export function procedureAt(caller: Caller, path: string): (input?: unknown) => Promise<unknown> {
  let node: unknown = caller;
  for (const key of path.split(".")) node = (node as Record<string, unknown>)[key];
  return node as (input?: unknown) => Promise<unknown>;
}

/** The tRPC error code a call ends with, or "OK". */
export function outcome(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => "OK",
    (error: { code?: string }) => error.code ?? String(error),
  );
}
