// tRPC in three parts, as create-t3-turbo lays it out: the context each request gets, the tRPC instance
// (with the one mapping from AppError to tRPC errors), and the procedures routers are built from.
import {
  type Action,
  type Actor,
  AppError,
  type AppErrorCode,
  can,
  type Db,
  type EmailVerification,
  fieldSentences,
  isServiceUnavailable,
  type JobQueue,
  type Mailer,
  memberRole,
  type Role,
  type SecretBox,
  type SessionClaims,
  type SessionUser,
} from "@tributary/core";
import { initTRPC, TRPCError } from "@trpc/server";
import type { Redis } from "ioredis";
import superjson from "superjson";
import { ZodError, z } from "zod";

// 1. Context ----------------------------------------------------------------------------------------------

/** What the app gives the API once, at start. */
export type ApiDeps = {
  db: Db;
  redis: Redis;
  queue: JobQueue;
  secretBox: SecretBox;
  mailer: Mailer | null;
  /** The app's public origin for links (invites); the web app sets it per request when APP_URL is unset. */
  appUrl: string;
  /** Addresses must be verified by a mailed link (EMAIL_VERIFICATION, on by default with SMTP_URL). */
  emailVerification: boolean;
  /** OUTBOUND_ALLOWED_HOSTS: hosts every workspace may reach, beside its own allowed hosts. */
  operatorAllowedHosts?: readonly string[];
  /** SIGN_UPS_PER_IP_HOUR: accounts one IP address may create an hour. */
  signUpsPerIpHour?: number;
};

/** What each request adds: who is calling, from where. */
export type RequestInfo = { user: SessionUser | null; session: SessionClaims | null; ip: string };

export type Context = ApiDeps & RequestInfo;

/** The installation's email verification policy, as core takes it. */
export function verificationOf(ctx: ApiDeps): EmailVerification {
  return { required: ctx.emailVerification, mailer: ctx.mailer, appUrl: ctx.appUrl };
}

export function createContext({ deps, request }: { deps: ApiDeps; request: RequestInfo }): Context {
  return { ...deps, ...request };
}

// 2. Initialisation ---------------------------------------------------------------------------------------

export type Meta = { action?: Action };

const TRPC_CODES: Record<AppErrorCode, TRPCError["code"]> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  UNPROCESSABLE_CONTENT: "UNPROCESSABLE_CONTENT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
};

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      return {
        ...shape,
        // What went wrong inside is for the log (the route logs it), not for the browser.
        message:
          error.code === "INTERNAL_SERVER_ERROR"
            ? "Something went wrong on our side; it has been logged."
            : shape.message,
        data: {
          ...shape.data,
          // Field-level problems the forms can show next to their inputs.
          fieldErrors: cause instanceof ZodError ? fieldErrors(cause) : undefined,
          details: cause instanceof AppError ? cause.details : undefined,
        },
      };
    },
  });

/** Each field's problem as a sentence, keyed by its dotted path (`config.port`); whole-input problems left out. */
function fieldErrors(error: ZodError): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(fieldSentences(error))
      .filter(([field]) => field)
      .map(([field, message]) => [field, [message]]),
  );
}

export const UNAVAILABLE_MESSAGE =
  "Tributary cannot reach its database or Redis right now; nothing was changed. Try again in a few seconds.";

/**
 * AppError from core becomes the matching tRPC error, keeping its message for the user; an unreachable
 * Postgres or Redis becomes SERVICE_UNAVAILABLE (503) with a message of ours, never the driver's.
 */
const mapAppErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: TRPC_CODES[cause.code], message: cause.message, cause });
  }
  if (!result.ok && isServiceUnavailable(result.error.cause ?? result.error)) {
    throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: UNAVAILABLE_MESSAGE, cause: result.error.cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

// 3. Procedures -------------------------------------------------------------------------------------------

export const publicProcedure = t.procedure.use(mapAppErrors);

/** Signed in: ctx.user and ctx.actor are set. */
export const userProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.session) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  }
  const actor: Actor = { userId: ctx.user.id, email: ctx.user.email, ip: ctx.ip };
  return next({ ctx: { user: ctx.user, session: ctx.session, actor } });
});

export type WorkspaceContext = { id: string; role: Role };

/**
 * A procedure inside one workspace. Takes `workspaceId`, checks the caller is a member whose role allows
 * `action` in the permission matrix, and puts ctx.workspace = { id, role }. Not a member answers NOT_FOUND,
 * so ids of other workspaces reveal nothing.
 */
export function workspaceProcedure(action: Action) {
  return userProcedure
    .meta({ action })
    .input(z.object({ workspaceId: z.uuid() }))
    .use(async ({ ctx, input, next }) => {
      const role = await memberRole({
        db: ctx.db,
        workspaceId: input.workspaceId,
        userId: ctx.user.id,
        ssoWorkspaceId: ctx.session.ssoWorkspaceId ?? null,
      });
      if (!role) {
        throw new TRPCError({ code: "NOT_FOUND", message: "Workspace not found, or you are not a member of it." });
      }
      if (!can(role, action)) {
        throw new TRPCError({ code: "FORBIDDEN", message: `Your role (${role}) does not allow ${action}.` });
      }
      const workspace: WorkspaceContext = { id: input.workspaceId, role };
      return next({ ctx: { workspace } });
    });
}
