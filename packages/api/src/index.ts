export { type AppRouter, appRouter, createCaller } from "./root.ts";
export { type ApiDeps, type Context, createContext, type Meta, type RequestInfo } from "./trpc.ts";
