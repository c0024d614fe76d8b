// Every procedure of the tRPC router with the permission action it declares (none for the few outside
// workspaces), read from the router itself so generated tests cover procedures added later.
import { type AppRouter, appRouter } from "@tributary/api";
import type { Action } from "@tributary/core";

type ProcedureDef = { _def: { meta?: { action?: Action } } };

export function listProcedures(router: AppRouter = appRouter): { path: string; action: Action | undefined }[] {
  const procedures = router._def.procedures as unknown as Record<string, ProcedureDef>;
  return Object.entries(procedures).map(([path, procedure]) => ({ path, action: procedure._def.meta?.action }));
}
