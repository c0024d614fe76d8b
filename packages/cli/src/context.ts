// What every command gets: where to print, and the API of the logged-in workspace.
import { type Api, createApi } from "./client.ts";
import { loadLogin } from "./config.ts";
import { createOutput, type Output } from "./output.ts";

export type Context = { out: Output; api: () => Promise<Api> };

/** `workspace`: a saved profile (or its workspace's slug) to act in instead of the current one. */
export function createContext({ json, workspace }: { json: boolean; workspace?: string }): Context {
  return { out: createOutput({ json }), api: async () => createApi(await loadLogin(workspace)) };
}

export type KeyIdentity = {
  keyId: string;
  name: string;
  role: string;
  workspace: { id: string; slug: string; name: string };
};
