// The web process: Next.js behind a small node:http server that stamps each request with the caller's
// real IP (see resolve-client-ip.ts), so rate limits and the audit log cannot be fooled by a forged header.
import { createServer } from "node:http";
import { HOOKS_PREFIX, TEST_HOOKS_PREFIX } from "@tributary/ingress";
import next from "next";
import { getEnv } from "./src/env.ts";
import { CLIENT_IP_HEADER } from "./src/server/client-ip.ts";
import { resolveClientIp } from "./src/server/resolve-client-ip.ts";
import { serveWeb } from "./src/server/serve-web.ts";
import { webhookHandler } from "./src/server/webhooks.ts";

const env = getEnv();
const dev = env.NODE_ENV === "development";
const app = next({ dev, dir: import.meta.dirname, port: env.PORT });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  const clientIp = resolveClientIp({
    remoteAddress: req.socket.remoteAddress,
    forwardedFor: req.headers["x-forwarded-for"],
    hops: env.TRUST_PROXY_HOPS,
  });
  req.headers[CLIENT_IP_HEADER] = clientIp;
  // Webhooks skip Next's router: the same Web-standard handler that /hooks mounts, called directly.
  if (req.url?.startsWith(HOOKS_PREFIX) || req.url?.startsWith(TEST_HOOKS_PREFIX)) {
    void serveWeb({ req, res, handler: (request) => webhookHandler()(request, { clientIp }) });
    return;
  }
  void handle(req, res);
});
server.keepAliveTimeout = 65_000;
server.listen(env.PORT, () => {
  console.log(`Tributary web listening on ${env.appUrl} (port ${env.PORT}, ${dev ? "development" : "production"})`);
});

function shutdown() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 10_000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
