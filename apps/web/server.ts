// The web process: Next.js behind a small node:http server (web-server.ts) that also serves webhooks and the
// REST API directly.
import { createRequire } from "node:module";
import { dirname } from "node:path";
import next from "next";
import { getEnv } from "./src/env.ts";
import { deps } from "./src/server/deps.ts";
import { restHandler } from "./src/server/rest.ts";
import { createWebMetrics } from "./src/server/web-metrics.ts";
import { createWebServer } from "./src/server/web-server.ts";
import { webhookHandler } from "./src/server/webhooks.ts";

const env = getEnv();
const dev = env.NODE_ENV === "development";
// This app's directory, found as the package it is: the same whether this file runs or its bundle in dist/.
const dir = dirname(createRequire(import.meta.url).resolve("@tributary/web/package.json"));
const app = next({ dev, dir, port: env.PORT });
const handle = app.getRequestHandler();
await app.prepare();
// Redis commands fail fast while it is not connected (deps.ts): the first requests should not find it still
// connecting. If Redis is down the web starts anyway and answers what needs Redis with 503s.
const { redis, db } = deps();
if (redis.status !== "ready") {
  await new Promise((connected) => {
    redis.once("ready", connected);
    setTimeout(connected, 10_000).unref();
  });
}

const metrics = env.METRICS_TOKEN ? createWebMetrics({ db, token: env.METRICS_TOKEN }) : undefined;
const webhooks = webhookHandler({ metrics });
const server = createWebServer({
  webhooks,
  rest: (request) => restHandler()(request),
  next: handle,
  trustProxyHops: env.TRUST_PROXY_HOPS,
  ...(metrics ? { metrics } : {}),
});
server.listen(env.PORT, () => {
  console.log(`Tributary web listening on ${env.appUrl} (port ${env.PORT}, ${dev ? "development" : "production"})`);
});

function shutdown() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 10_000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
