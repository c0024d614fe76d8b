// Connection types: a named, tested link to an outside system (the seeds' outgoing connections with their
// availability ping). Secret fields are stored sealed and never sent back; `test` is the ping.
import { z } from "zod";
import { headerList } from "./define.ts";
import type { GuardedHttpClient } from "./http-client/index.ts";

export type ConnectionTest = { ok: boolean; message: string };

export type ConnectionTypeDefinition<Schema extends z.ZodType = z.ZodType> = {
  type: string;
  title: string;
  description: string;
  config: Schema;
  /** Fields sealed at rest and never shown again after saving. */
  secretFields: readonly string[];
  test(context: { config: z.output<Schema>; http: GuardedHttpClient; signal: AbortSignal }): Promise<ConnectionTest>;
};

export function defineConnectionType<Schema extends z.ZodType>(
  definition: ConnectionTypeDefinition<Schema>,
): ConnectionTypeDefinition {
  return definition as unknown as ConnectionTypeDefinition;
}

const httpConnectionConfig = z
  .object({
    baseUrl: z
      .url({ message: "Enter the API's base URL, e.g. https://api.example.com/v1" })
      .meta({ title: "Base URL" }),
    auth: z.enum(["none", "bearer", "basic", "header"]).default("none").meta({ title: "Authentication" }),
    token: z
      .string()
      .optional()
      .meta({ title: "Bearer token", widget: "password", showWhen: { auth: ["bearer"] } }),
    username: z
      .string()
      .optional()
      .meta({ title: "Username", showWhen: { auth: ["basic"] } }),
    password: z
      .string()
      .optional()
      .meta({ title: "Password", widget: "password", showWhen: { auth: ["basic"] } }),
    headerName: z
      .string()
      .optional()
      .meta({ title: "Header name", description: "e.g. X-API-Key", showWhen: { auth: ["header"] } }),
    headerValue: z
      .string()
      .optional()
      .meta({ title: "Header value", widget: "password", showWhen: { auth: ["header"] } }),
    headers: headerList().default([]).meta({ title: "Extra headers", widget: "keyValue" }),
    healthPath: z
      .string()
      .default("")
      .meta({ title: "Path to check", description: "Called by “Test connection”; empty: the base URL." }),
  })
  .refine((c) => c.auth !== "bearer" || Boolean(c.token), { message: "Enter the token.", path: ["token"] })
  .refine((c) => c.auth !== "basic" || Boolean(c.username), { message: "Enter the username.", path: ["username"] })
  .refine((c) => c.auth !== "header" || Boolean(c.headerName && c.headerValue), {
    message: "Enter the header's name and value.",
    path: ["headerName"],
  });

export type HttpConnectionConfig = z.output<typeof httpConnectionConfig>;

/** The headers an HTTP connection adds to every request made through it. */
export function httpConnectionHeaders(config: HttpConnectionConfig): Record<string, string> {
  const headers = Object.fromEntries(config.headers.map((h) => [h.name.toLowerCase(), h.value]));
  if (config.auth === "bearer" && config.token) headers.authorization = `Bearer ${config.token}`;
  if (config.auth === "basic" && config.username) {
    headers.authorization = `Basic ${Buffer.from(`${config.username}:${config.password ?? ""}`).toString("base64")}`;
  }
  if (config.auth === "header" && config.headerName && config.headerValue)
    headers[config.headerName.toLowerCase()] = config.headerValue;
  return headers;
}

/** A URL relative to the connection's base URL (absolute URLs must stay on the base's origin). */
export function httpConnectionUrl(config: HttpConnectionConfig, url: string): string {
  const base = new URL(config.baseUrl.endsWith("/") ? config.baseUrl : `${config.baseUrl}/`);
  const resolved = new URL(url.replace(/^\//, ""), base);
  if (resolved.origin !== base.origin) {
    throw new Error(`${url} is not on the connection's host ${base.host}; use a relative path.`);
  }
  return resolved.toString();
}

export const httpConnection = defineConnectionType({
  type: "http",
  title: "HTTP API",
  description: "A base URL with its authentication, used by HTTP request steps.",
  config: httpConnectionConfig,
  secretFields: ["token", "password", "headerValue"],
  async test({ config, http, signal }) {
    const url = httpConnectionUrl(config, config.healthPath);
    try {
      const response = await http.request({
        method: "GET",
        url,
        headers: httpConnectionHeaders(config),
        timeoutMs: 10_000,
        signal,
      });
      if (response.status === 401 || response.status === 403) {
        return {
          ok: false,
          message: `${new URL(url).host} refused the credentials (${response.status}). Check the authentication settings.`,
        };
      }
      if (response.status >= 500)
        return { ok: false, message: `${new URL(url).host} answered ${response.status}: it is up but failing.` };
      return { ok: true, message: `${new URL(url).host} answered ${response.status}.` };
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  },
});
