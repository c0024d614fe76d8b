// The one way connectors and code reach the outside over HTTP (DESIGN.md, "Outbound HTTP"): private,
// loopback and link-local addresses refused after DNS resolution and at every redirect unless allowed,
// time and size limits on every call, redirects followed by us so each hop is checked.
import { Agent, request, errors as undiciErrors } from "undici";
import { type AddressPolicy, createAddressPolicy } from "./address-policy.ts";
import {
  OutboundBlockedError,
  OutboundConnectionError,
  OutboundError,
  OutboundResponseTooLargeError,
  OutboundTimeoutError,
} from "./errors.ts";
import { guardedConnector, type Lookup, resolveGuarded } from "./guarded-connector.ts";

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";

export type HttpRequest = {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Sent as Idempotency-Key, so a retried step does not repeat its effect where the target supports it. */
  idempotencyKey?: string;
};

export type HttpResponse = {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
  redirects: string[];
  text(): string;
  json(): unknown;
};

export type GuardedHttpClient = {
  request(request: HttpRequest): Promise<HttpResponse>;
  /** The checked address to open a non-HTTP socket to `host` with (see resolveGuarded). */
  resolve(host: string): Promise<string>;
  close(): Promise<void>;
};

export type GuardedHttpClientOptions = AddressPolicy & {
  timeoutMs?: number;
  connectTimeoutMs?: number;
  maxResponseBytes?: number;
  maxRedirects?: number;
  userAgent?: string;
  /** Name resolution; the system resolver unless a test needs another. */
  lookup?: Lookup;
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];

export function createGuardedHttpClient({
  allowHosts,
  allowOnlyUrls,
  timeoutMs = 30_000,
  connectTimeoutMs = 10_000,
  maxResponseBytes = 10 * 1024 * 1024,
  maxRedirects = 5,
  userAgent = "Tributary",
  lookup,
}: GuardedHttpClientOptions = {}): GuardedHttpClient {
  const policy = createAddressPolicy({
    ...(allowHosts ? { allowHosts } : {}),
    ...(allowOnlyUrls ? { allowOnlyUrls } : {}),
  });
  const agent = new Agent({
    connect: guardedConnector({ policy, connectTimeoutMs, ...(lookup ? { lookup } : {}) }),
    keepAliveTimeout: 10_000,
    connections: 128,
  });

  async function send(call: HttpRequest): Promise<HttpResponse> {
    const limitMs = call.timeoutMs ?? timeoutMs;
    const timeout = AbortSignal.timeout(limitMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    let url = parseUrl(call.url);
    let method: HttpMethod = call.method;
    let body = call.body;
    let headers: Record<string, string> = {
      "user-agent": userAgent,
      ...lowerKeys(call.headers ?? {}),
      ...(call.idempotencyKey ? { "idempotency-key": call.idempotencyKey } : {}),
    };
    const redirects: string[] = [];
    for (;;) {
      const urlCheck = policy.checkUrl(url);
      if (!urlCheck.allowed) throw new OutboundBlockedError(urlCheck.reason);
      let response: Awaited<ReturnType<typeof request>>;
      try {
        response = await request(url, {
          dispatcher: agent,
          method,
          headers,
          ...(body !== undefined && method !== "GET" && method !== "HEAD" ? { body } : {}),
          signal,
          headersTimeout: limitMs,
          bodyTimeout: limitMs,
        });
      } catch (error) {
        throw describe({ error, url, limitMs, timedOut: timeout.aborted });
      }
      const location = response.headers.location;
      if (REDIRECTS.has(response.statusCode) && typeof location === "string") {
        await response.body.dump();
        if (redirects.length >= maxRedirects) {
          throw new OutboundConnectionError(`Too many redirects (more than ${maxRedirects}) from ${call.url}.`, {
            transient: false,
          });
        }
        const next = parseUrl(new URL(location, url).toString());
        if (next.origin !== url.origin) headers = withoutCredentials(headers);
        if (
          response.statusCode === 303 ||
          ((response.statusCode === 301 || response.statusCode === 302) && method === "POST")
        ) {
          if (method !== "HEAD") method = "GET";
          body = undefined;
          headers = withoutBodyHeaders(headers);
        }
        redirects.push(next.toString());
        url = next;
        continue;
      }
      const received = await readCapped({ response, maxBytes: maxResponseBytes, url, limitMs, timeout });
      const flatHeaders: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) flatHeaders[name] = Array.isArray(value) ? value.join(", ") : value;
      }
      return {
        status: response.statusCode,
        headers: flatHeaders,
        body: received,
        url: url.toString(),
        redirects,
        text: () => received.toString("utf8"),
        json: () => JSON.parse(received.toString("utf8")),
      };
    }
  }

  return {
    request: send,
    resolve: (host) => resolveGuarded({ policy, host, ...(lookup ? { lookup } : {}) }),
    close: () => agent.close(),
  };
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundConnectionError(`"${raw}" is not a valid URL.`, { transient: false });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new OutboundBlockedError(`Only http and https URLs may be called, not ${url.protocol.replace(":", "")}.`);
  }
  return url;
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.includes(name)));
}

function withoutBodyHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith("content-")));
}

async function readCapped({
  response,
  maxBytes,
  url,
  limitMs,
  timeout,
}: {
  response: Awaited<ReturnType<typeof request>>;
  maxBytes: number;
  url: URL;
  limitMs: number;
  timeout: AbortSignal;
}): Promise<Buffer> {
  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.body.destroy();
    throw new OutboundResponseTooLargeError(
      `The response from ${url.host} is ${declared} bytes; the limit is ${maxBytes}.`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        response.body.destroy();
        throw new OutboundResponseTooLargeError(
          `The response from ${url.host} is larger than the limit of ${maxBytes} bytes.`,
        );
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof OutboundError) throw error;
    throw describe({ error, url, limitMs, timedOut: timeout.aborted });
  }
  return Buffer.concat(chunks);
}

function describe({
  error,
  url,
  limitMs,
  timedOut,
}: {
  error: unknown;
  url: URL;
  limitMs: number;
  timedOut: boolean;
}): Error {
  if (error instanceof OutboundError) return error;
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof OutboundError) return cause;
  if (
    timedOut ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError
  ) {
    return new OutboundTimeoutError(`${url.host} did not answer within ${limitMs} ms.`);
  }
  if (error instanceof Error && error.name === "AbortError")
    return new OutboundConnectionError(`The call to ${url.host} was cancelled.`, { transient: false });
  const code = (error as NodeJS.ErrnoException).code ?? (cause as NodeJS.ErrnoException | undefined)?.code;
  const reasons: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ECONNRESET: "connection reset",
    ENOTFOUND: "host not found",
    EHOSTUNREACH: "host unreachable",
    ETIMEDOUT: "timed out",
    UND_ERR_SOCKET: "connection closed",
    CERT_HAS_EXPIRED: "its TLS certificate has expired",
    DEPTH_ZERO_SELF_SIGNED_CERT: "its TLS certificate is self-signed",
  };
  const reason = (code && reasons[code]) ?? (error instanceof Error ? error.message : String(error));
  return new OutboundConnectionError(`Could not reach ${url.host}: ${reason}.`, {
    transient: code !== "ENOTFOUND" && !String(code).startsWith("CERT"),
  });
}
