// tRPC procedures called from server components, with the same context and checks as over HTTP.
import "server-only";
import { createCaller, createContext } from "@tributary/api";
import { headers } from "next/headers";
import { getAuth } from "./auth.ts";
import { clientIp } from "./client-ip.ts";
import { deps } from "./deps.ts";
import { publicOrigin } from "./public-origin.ts";

export async function serverCaller() {
  const [auth, requestHeaders] = await Promise.all([getAuth(), headers()]);
  return createCaller(
    createContext({
      deps: { ...deps(), appUrl: publicOrigin(requestHeaders) },
      request: { user: auth?.user ?? null, session: auth?.claims ?? null, ip: clientIp(requestHeaders) },
    }),
  );
}
