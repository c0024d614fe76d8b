import { appRouter, createContext, UNAVAILABLE_MESSAGE } from "@tributary/api";
import { AppError, isServiceUnavailable } from "@tributary/core";
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getAuth } from "~/server/auth.ts";
import { clientIp } from "~/server/client-ip.ts";
import { deps } from "~/server/deps.ts";
import { publicOrigin } from "~/server/public-origin.ts";

/** How long a caller is asked to wait when Postgres or Redis is unreachable. */
const RETRY_AFTER_SECONDS = 5;

function handler(request: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    async createContext() {
      // The session is checked against Redis (revocations): without it nobody can be let in.
      const auth = await getAuth().catch((error: unknown) => {
        if (isServiceUnavailable(error))
          throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: UNAVAILABLE_MESSAGE, cause: error });
        throw error;
      });
      return createContext({
        deps: { ...deps(), appUrl: publicOrigin(request.headers) },
        request: { user: auth?.user ?? null, session: auth?.claims ?? null, ip: clientIp(request.headers) },
      });
    },
    responseMeta({ errors }) {
      if (errors.some((error) => error.code === "SERVICE_UNAVAILABLE"))
        return { headers: new Headers({ "retry-after": String(RETRY_AFTER_SECONDS) }) };
      // A limit (sign-up, demo) says when to try again.
      const limited = errors.find((error) => error.code === "TOO_MANY_REQUESTS" && error.cause instanceof AppError);
      const seconds = limited?.cause instanceof AppError ? Number(limited.cause.details?.retryAfterSeconds) : NaN;
      return Number.isFinite(seconds) ? { headers: new Headers({ "retry-after": String(Math.ceil(seconds)) }) } : {};
    },
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });
}

export { handler as GET, handler as POST };
