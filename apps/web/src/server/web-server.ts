// The web process's node:http server: stamps each request with the caller's real IP (resolve-client-ip.ts),
// sends webhooks and the REST API straight to their Web-standard handlers (skipping Next's router: one code
// path, the fast way in, and a connection whose body was refused gets closed), and everything else to Next.
// With METRICS_TOKEN set it also answers /metrics (web-metrics.ts); without, that path is Next's (a 404).
// Headers up to 64 KiB are read, as docs/webhooks-and-schedules.md promises; larger ones get a 431 with a body.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { METRICS_PATH } from "@tributary/core";
import { HOOKS_PREFIX, TEST_HOOKS_PREFIX } from "@tributary/ingress";
import { CLIENT_IP_HEADER } from "./client-ip.ts";
import { resolveClientIp } from "./resolve-client-ip.ts";
import { serveWeb } from "./serve-web.ts";
import type { WebMetrics } from "./web-metrics.ts";

export const MAX_HEADER_BYTES = 64 * 1024;
const REST_PREFIX = "/api/v1/";

export function createWebServer({
  webhooks,
  rest,
  next,
  trustProxyHops,
  metrics,
}: {
  webhooks: (request: Request, info: { clientIp: string }) => Promise<Response>;
  rest: (request: Request) => Promise<Response>;
  next: (req: IncomingMessage, res: ServerResponse) => unknown;
  trustProxyHops: number;
  /** Prometheus metrics, when enabled. */
  metrics?: WebMetrics;
}): Server {
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    const clientIp = resolveClientIp({
      remoteAddress: req.socket.remoteAddress,
      forwardedFor: req.headers["x-forwarded-for"],
      hops: trustProxyHops,
    });
    req.headers[CLIENT_IP_HEADER] = clientIp;
    // Without a proxy in front, forwarded host and scheme are whatever the caller wrote: not believed (links
    // and redirects are made from them when APP_URL is not set).
    if (trustProxyHops === 0) {
      delete req.headers["x-forwarded-host"];
      delete req.headers["x-forwarded-proto"];
    }
    const url = req.url ?? "/";
    if (url.startsWith(HOOKS_PREFIX) || url.startsWith(TEST_HOOKS_PREFIX)) {
      void serveWeb({
        req,
        res,
        handler: async (request) => {
          const response = await webhooks(request, { clientIp });
          metrics?.webhookAnswered(response.status);
          return response;
        },
      });
      return;
    }
    if (metrics && (url === METRICS_PATH || url.startsWith(`${METRICS_PATH}?`))) {
      void serveWeb({ req, res, handler: metrics.serve });
      return;
    }
    if (url.startsWith(REST_PREFIX)) {
      void serveWeb({ req, res, handler: rest });
      return;
    }
    void next(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.on("clientError", answerClientError);
  return server;
}

/** Requests node cannot parse: a JSON answer saying why, then the connection is closed. */
function answerClientError(error: Error & { code?: string }, socket: Socket) {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, code, message] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [
          431,
          "Request Header Fields Too Large",
          "headers_too_large",
          `The request's headers are larger than ${MAX_HEADER_BYTES / 1024} KiB.`,
        ]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout", "timeout", "The request was not received in time."]
        : [400, "Bad Request", "bad_request", "The request is not valid HTTP."];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
