// Call an HTTP API through the guarded client and pass its response on.
import { z } from "zod";
import { type HttpConnectionConfig, httpConnection, httpConnectionHeaders, httpConnectionUrl } from "../connections.ts";
import { defineAction, defineConnector, headerList, StepFailure, text } from "../define.ts";
import { isTransient, OutboundError } from "../http-client/index.ts";

export const httpRequest = defineAction({
  type: "http.request",
  example: {
    config: {
      method: "POST",
      url: "https://api.example.com/orders/{{ id }}",
      headers: [{ name: "authorization", value: "Bearer {{ $secrets.API_TOKEN }}" }],
    },
  },
  title: "HTTP request",
  description:
    "Calls an HTTP API and passes its response on: 2xx on “out”, anything else fails the step (or goes to “error”).",
  category: "HTTP",
  config: z.object({
    connectionId: z.uuid().optional().meta({
      title: "Connection",
      description: "Optional: a saved HTTP API (base URL and authentication).",
      widget: "connection",
      connectionType: "http",
    }),
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]).default("GET").meta({ title: "Method" }),
    url: text()
      .pipe(z.string().min(1, { message: "Enter the URL to call." }))
      .meta({ title: "URL" }),
    headers: headerList().default([]).meta({ title: "Headers", widget: "keyValue" }),
    body: z
      .unknown()
      .optional()
      .meta({ title: "Body", description: "Empty: the message body, as JSON.", widget: "json" }),
    sendBody: z.boolean().default(true).meta({ title: "Send a body (POST, PUT, PATCH)" }),
    timeoutSeconds: z.number().int().min(1).max(300).default(30).meta({ title: "Timeout (s)" }),
    responseType: z.enum(["auto", "json", "text"]).default("auto").meta({ title: "Read response as" }),
  }),
  async run({ config, message, http, idempotencyKey, signal, connection }) {
    let url = config.url;
    const headers: Record<string, string> = {};
    if (config.connectionId) {
      if (connection?.type !== "http")
        throw new StepFailure("The connection of this step is missing or is not an HTTP API connection.");
      const settings = connection.config as HttpConnectionConfig;
      Object.assign(headers, httpConnectionHeaders(settings));
      try {
        url = httpConnectionUrl(settings, url);
      } catch (error) {
        throw new StepFailure((error as Error).message);
      }
    }
    for (const header of config.headers) headers[header.name.toLowerCase()] = header.value;
    const sends = config.sendBody && ["POST", "PUT", "PATCH"].includes(config.method);
    const payload = config.body === undefined ? message.body : config.body;
    let body: string | undefined;
    if (sends) {
      body = typeof payload === "string" ? payload : JSON.stringify(payload ?? null);
      headers["content-type"] ??= typeof payload === "string" ? "text/plain; charset=utf-8" : "application/json";
    }
    let response: Awaited<ReturnType<typeof http.request>>;
    try {
      response = await http.request({
        method: config.method,
        url,
        headers,
        ...(body !== undefined ? { body } : {}),
        timeoutMs: config.timeoutSeconds * 1000,
        idempotencyKey,
        signal,
      });
    } catch (error) {
      if (error instanceof OutboundError)
        throw new StepFailure(error.message, { transient: isTransient(error), code: error.name });
      throw error;
    }
    const text = response.text();
    const isJson =
      config.responseType === "json" ||
      (config.responseType === "auto" && /json/i.test(response.headers["content-type"] ?? ""));
    let parsed: unknown = text;
    if (isJson && text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new StepFailure(`${new URL(response.url).host} answered with invalid JSON.`);
      }
    }
    if (response.status < 200 || response.status >= 300) {
      const retryable = response.status >= 500 || response.status === 429 || response.status === 408;
      throw new StepFailure(`${config.method} ${response.url} answered ${response.status}: ${text.slice(0, 300)}`, {
        transient: retryable,
        code: `http_${response.status}`,
      });
    }
    return {
      body: parsed,
      headers: [
        { name: "http-status", value: String(response.status) },
        ...Object.entries(response.headers)
          .filter(([name]) => name === "content-type" || name === "etag" || name === "location")
          .map(([name, value]) => ({ name: `http-${name}`, value })),
      ],
    };
  },
});

export const httpConnector = defineConnector({
  id: "http",
  title: "HTTP",
  description: "Call HTTP APIs.",
  steps: [httpRequest],
  connectionTypes: [httpConnection],
});
