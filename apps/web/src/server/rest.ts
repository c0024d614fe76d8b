// The REST API of this web process, made once.
import { createRestHandler } from "@tributary/api";
import { clientIp } from "./client-ip.ts";
import { deps } from "./deps.ts";

const globalForRest = globalThis as unknown as { tributaryRest?: ReturnType<typeof createRestHandler> };

export function restHandler() {
  globalForRest.tributaryRest ??= createRestHandler({
    ...deps(),
    clientIp: (request) => clientIp(request.headers),
    onUnexpectedError: (error, where) => console.error(`REST ${where} failed:`, error),
  });
  return globalForRest.tributaryRest;
}
