// SOAP: call an operation of a service described by a WSDL (its envelope built from the message, its answer
// given back as JSON, its faults on the error output), and serve one as a webhook (soap-service.ts frames it).
import { createHash } from "node:crypto";
import { z } from "zod";
import { defineConnectionType } from "../connections.ts";
import { defineAction, defineConnector, defineTrigger, headerList, StepFailure, text } from "../define.ts";
import type { GuardedHttpClient } from "../http-client/index.ts";
import { networkFailure } from "../network/network-failure.ts";
import { placeResult, resultField } from "../result-field.ts";
import type { LoadedWsdl, SoapOperation } from "./wsdl.ts";
import { WsdlError } from "./wsdl-error.ts";

// The SOAP library is large: loaded when a SOAP step first runs, not when a worker or the web app starts.
const wsdlModule = () => import("./wsdl.ts");

const wsSecurityConfig = z.object({
  username: z.string().trim().min(1, { message: "Enter the user name." }).meta({ title: "User name" }),
  password: z.string().optional().meta({ title: "Password", widget: "password" }),
  passwordType: z
    .enum(["PasswordText", "PasswordDigest"])
    .default("PasswordText")
    .meta({ title: "Password type", description: "PasswordDigest sends a hash with a nonce and time instead." }),
  timestamp: z.boolean().default(false).meta({ title: "Add a timestamp (wsu:Timestamp)" }),
});

export const wsSecurityConnection = defineConnectionType({
  type: "ws-security",
  title: "WS-Security user",
  description: "A user name and password sent as a WS-Security UsernameToken in SOAP calls.",
  config: wsSecurityConfig,
  secretFields: ["password"],
  async test({ config }) {
    return {
      ok: true,
      message: `UsernameToken for ${config.username} (${config.passwordType}); it is checked on a call.`,
    };
  },
});

/** WSDLs already read, per outbound policy (the guarded client) and source: reading one is the slow part. */
const cache = new WeakMap<GuardedHttpClient, Map<string, { loaded: Promise<LoadedWsdl>; until: number }>>();
const CACHE_MS = 10 * 60_000;

export function cachedWsdl(http: GuardedHttpClient, source: string, timeoutMs: number): Promise<LoadedWsdl> {
  let entries = cache.get(http);
  if (!entries) {
    entries = new Map();
    cache.set(http, entries);
  }
  const key = createHash("sha256").update(source).digest("base64url");
  const hit = entries.get(key);
  if (hit && hit.until > Date.now()) return hit.loaded;
  const loaded = wsdlModule().then(({ loadWsdl }) => loadWsdl({ source, http, timeoutMs }));
  entries.set(key, { loaded, until: Date.now() + CACHE_MS });
  loaded.catch(() => entries.delete(key));
  if (entries.size > 64) entries.delete(entries.keys().next().value as string);
  return loaded;
}

type Fault = {
  faultcode?: unknown;
  faultstring?: unknown;
  detail?: unknown;
  Code?: unknown;
  Reason?: unknown;
  Detail?: unknown;
};

const textOf = (value: unknown): string =>
  typeof value === "object" && value !== null && "$value" in value
    ? String((value as { $value: unknown }).$value)
    : typeof value === "string"
      ? value
      : value === undefined
        ? ""
        : JSON.stringify(value);

/** A SOAP fault in one line: its code, its reason and, as JSON, its detail. */
function describeFault(fault: Fault): string {
  const code = textOf(fault.faultcode) || textOf((fault.Code as { Value?: unknown } | undefined)?.Value) || "fault";
  const reason =
    textOf(fault.faultstring) || textOf((fault.Reason as { Text?: unknown } | undefined)?.Text) || "no reason given";
  const detail = fault.detail ?? fault.Detail;
  return `${code}: ${reason}${detail === undefined ? "" : ` (detail: ${typeof detail === "string" ? detail : JSON.stringify(detail)})`}`;
}

const soapVersion = () =>
  z
    .enum(["auto", "1.1", "1.2"])
    .default("auto")
    .meta({ title: "SOAP version", description: "auto: as the operation's binding says." });

export const soapCall = defineAction({
  type: "soap.call",
  example: {
    config: {
      wsdl: "https://erp.example.com/orders?wsdl",
      operation: "OrderService/OrderPort/GetOrder",
      arguments: { orderId: "{{ id }}" },
      resultField: "order",
    },
    input: { id: "A-1" },
    output: { id: "A-1", order: { status: "shipped", total: "42.00" } },
  },
  title: "SOAP call",
  description:
    "Calls an operation of a SOAP service (SOAP 1.1 or 1.2) described by a WSDL, given by its URL or pasted: the message (or the arguments) becomes the request envelope, the response's body comes back as JSON. A SOAP fault fails the step with the fault's code, reason and detail (on its error output, if connected). A WS-Security UsernameToken comes from a WS-Security connection or the user name and password fields (e.g. {{ $secrets.ERP_PASSWORD }}).",
  category: "SOAP",
  config: z.object({
    wsdl: text()
      .pipe(
        z
          .string()
          .trim()
          .min(1, { message: "Give the WSDL's URL or paste the WSDL." })
          .max(4 * 1024 * 1024),
      )
      .meta({ title: "WSDL", description: "Its URL (http or https), or the WSDL itself.", widget: "textarea" }),
    operation: text()
      .pipe(z.string().trim().min(1, { message: "Choose the operation." }).max(500))
      .meta({
        title: "Operation",
        description: "Service/Port/Operation, or the operation's name if one port has it.",
        widget: "soapOperation",
      }),
    arguments: z.unknown().optional().meta({
      title: "Arguments",
      description: "The operation's input as JSON; empty: the message body.",
      widget: "json",
    }),
    endpoint: text()
      .pipe(z.url({ protocol: /^https?$/, message: "Enter an http(s) URL." }))
      .optional()
      .meta({ title: "Endpoint", description: "Empty: the address the WSDL gives." }),
    soapVersion: soapVersion(),
    connectionId: z.uuid().optional().meta({
      title: "WS-Security user",
      description: "A WS-Security connection; or fill in the user name and password below.",
      widget: "connection",
      connectionType: "ws-security",
    }),
    username: text().pipe(z.string().max(500)).optional().meta({ title: "WS-Security user name" }),
    password: text()
      .pipe(z.string().max(2000))
      .optional()
      .meta({ title: "WS-Security password", description: "e.g. {{ $secrets.ERP_PASSWORD }}" }),
    headers: headerList().default([]).meta({ title: "HTTP headers", widget: "keyValue" }),
    timeoutSeconds: z.number().int().min(1).max(300).default(30).meta({ title: "Timeout (s)" }),
    resultField: resultField(),
  }),
  async run({ config, message, http, connection, signal }) {
    const timeoutMs = config.timeoutSeconds * 1000;
    const [{ operationsOf, pickOperation, soapHttpClient }, { Client, WSSecurity }] = await Promise.all([
      wsdlModule(),
      import("soap"),
    ]);
    let loaded: LoadedWsdl;
    let operation: SoapOperation;
    try {
      loaded = await cachedWsdl(http, config.wsdl, timeoutMs);
      operation = pickOperation(operationsOf(loaded), config.operation);
    } catch (error) {
      if (error instanceof WsdlError) throw new StepFailure(error.message, { code: "invalid_wsdl" });
      throw networkFailure(error, { service: "The WSDL's server", host: hostOf(config.wsdl), port: 0 }) ?? error;
    }
    const version = config.soapVersion === "auto" ? operation.soapVersion : config.soapVersion;
    const endpoint = config.endpoint ?? operation.location;
    // The library keeps the SOAP version on the (shared) WSDL: the client is made and the call sent in one go.
    const client = new Client(loaded.wsdl, endpoint, {
      httpClient: soapHttpClient(http, { timeoutMs, signal }),
      forceSoap12Headers: version === "1.2",
    });
    const credentials =
      connection?.type === "ws-security"
        ? wsSecurityConfig.parse(connection.config)
        : config.username
          ? {
              username: config.username,
              password: config.password ?? "",
              passwordType: "PasswordText",
              timestamp: false,
            }
          : null;
    if (credentials) {
      client.setSecurity(
        new WSSecurity(credentials.username, credentials.password ?? "", {
          passwordType: credentials.passwordType,
          hasTimeStamp: credentials.timestamp,
          hasNonce: credentials.passwordType === "PasswordDigest",
        }),
      );
    }
    for (const { name, value } of config.headers) client.addHttpHeader(name, value);
    type Method = (args: unknown, callback: (error: unknown, answer: unknown) => void) => void;
    const method = (client as unknown as Record<string, Record<string, Record<string, Method>>>)[operation.service]?.[
      operation.port
    ]?.[operation.operation];
    if (!method) throw new StepFailure(`The WSDL's ${operation.id} cannot be called.`, { code: "invalid_wsdl" });
    const args = config.arguments === undefined ? message.body : config.arguments;
    const result = await new Promise<unknown>((resolve, reject) => {
      method(args ?? {}, (error: unknown, answer: unknown) => (error ? reject(error) : resolve(answer)));
    }).catch((error: unknown) => {
      const fault = (error as { root?: { Envelope?: { Body?: { Fault?: Fault } } } }).root?.Envelope?.Body?.Fault;
      if (fault) {
        throw new StepFailure(`${operation.operation} answered with a SOAP fault: ${describeFault(fault)}`, {
          code: "soap_fault",
        });
      }
      const url = new URL(endpoint);
      const status = (error as { response?: { status?: number } }).response?.status;
      if (status) {
        throw new StepFailure(`${url.host} answered ${status} without a SOAP envelope for ${operation.operation}.`, {
          transient: status >= 500 || status === 429,
          code: "http_error",
        });
      }
      throw (
        networkFailure(error, { service: "The SOAP service", host: url.hostname, port: Number(url.port) || 0 }) ??
        new StepFailure(`${operation.operation} failed: ${(error as Error).message}`, { code: "soap_failed" })
      );
    });
    return placeResult(config.resultField, message, result ?? null);
  },
});

function hostOf(source: string): string {
  try {
    return new URL(source).hostname;
  } catch {
    return "the WSDL";
  }
}

export const soapWebhook = defineTrigger({
  type: "soap.webhook",
  example: {
    config: {
      path: "soap/orders",
      wsdl: '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" …>…</definitions>',
      timeoutSeconds: 30,
    },
    input: { orderId: "A-1" },
  },
  title: "SOAP webhook",
  description:
    "Serves a SOAP service described by a pasted WSDL at /hooks/<workspace>/<path>: each call of an operation starts a run with the operation's input as JSON (the operation's name in the soap-operation header); the flow's result (or a Respond step's body) is the response envelope, and a failure or a Respond with status ≥ 400 a SOAP fault. GET …?wsdl serves the WSDL with this URL as its address. A WS-Security UsernameToken (PasswordText) counts as HTTP basic auth for the security rules.",
  category: "SOAP",
  config: z.object({
    path: z
      .string()
      .regex(/^[a-zA-Z0-9_\-./]+$/, { message: "Use letters, digits, - _ . and /." })
      .min(1)
      .max(200)
      .meta({ title: "Path", description: "The service's URL is /hooks/<workspace>/<path>." }),
    wsdl: z
      .string()
      .trim()
      .min(1, { message: "Paste the service's WSDL." })
      .max(4 * 1024 * 1024)
      .refine((value) => /<([\w-]+:)?definitions[\s>]/.test(value), {
        message: "Paste a WSDL 1.1 document (<definitions …>), with its schemas inline.",
      })
      .meta({ title: "WSDL", widget: "textarea" }),
    timeoutSeconds: z.number().int().min(1).max(300).default(30).meta({ title: "Wait for the flow (s)" }),
    securityRuleIds: z.array(z.uuid()).default([]).meta({ title: "Security rules", widget: "securityRules" }),
  }),
});

/** The operations a WSDL offers, for the builder's operation list. */
export async function soapOperations({
  http,
  wsdl,
}: {
  http: GuardedHttpClient;
  wsdl: string;
}): Promise<SoapOperation[]> {
  const { loadWsdl, operationsOf } = await wsdlModule();
  const operations = operationsOf(await loadWsdl({ source: wsdl, http, timeoutMs: 15_000 }));
  if (!operations.length) {
    throw new WsdlError("The WSDL describes no SOAP operation: it needs a service whose port has a SOAP binding.");
  }
  return operations;
}

export const soapConnector = defineConnector({
  id: "soap",
  title: "SOAP",
  description: "Call SOAP services from a WSDL (1.1 and 1.2, WS-Security UsernameToken) and serve them as webhooks.",
  steps: [soapWebhook, soapCall],
  connectionTypes: [wsSecurityConnection],
});
