import { appRouter, createContext } from "@tributary/api";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getAuth } from "~/server/auth.ts";
import { clientIp } from "~/server/client-ip.ts";
import { deps } from "~/server/deps.ts";

function handler(request: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    async createContext() {
      const auth = await getAuth();
      return createContext({
        deps: deps(),
        request: { user: auth?.user ?? null, session: auth?.claims ?? null, ip: clientIp(request.headers) },
      });
    },
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });
}

export { handler as GET, handler as POST };
