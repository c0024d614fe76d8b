export { buildOpenApi, REST_BASE } from "./rest/openapi.ts";
export { OPERATIONS } from "./rest/operations.ts";
export { createRestHandler } from "./rest/rest-handler.ts";
export { type AppRouter, appRouter, createCaller } from "./root.ts";
export {
  type ApiDeps,
  type Context,
  createContext,
  type Meta,
  type RequestInfo,
  UNAVAILABLE_MESSAGE,
} from "./trpc.ts";
