// What every command gets: where to print, and the API of the logged-in workspace.
import { type Api, createApi } from "./client.ts";
import { loadLogin } from "./config.ts";
import { createOutput, type Output } from "./output.ts";

export type Context = { out: Output; api: () => Promise<Api> };

export function createContext({ json }: { json: boolean }): Context {
  return { out: createOutput({ json }), api: async () => createApi(await loadLogin()) };
}

export type KeyIdentity = {
  keyId: string;
  name: string;
  role: string;
  workspace: { id: string; slug: string; name: string };
};
