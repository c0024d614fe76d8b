// The worker's small HTTP listener for Prometheus: GET /metrics with the bearer token; nothing else.
import { createServer, type Server } from "node:http";
import { answerMetricsRequest, METRICS_PATH } from "@tributary/core";
import type { Registry } from "prom-client";

export async function startMetricsServer({
  registry,
  token,
  host,
  port,
}: {
  registry: Registry;
  token: string;
  host: string;
  port: number;
}): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== METRICS_PATH || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ error: { code: "not_found", message: `The worker answers only GET ${METRICS_PATH}.` } }),
      );
      return;
    }
    answerMetricsRequest({ registry, token, authorization: req.headers.authorization }).then(
      (answer) => {
        res.writeHead(answer.status, answer.headers);
        res.end(req.method === "HEAD" ? undefined : answer.body);
      },
      (error: Error) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ error: { code: "metrics_failed", message: `Could not collect metrics: ${error.message}` } }),
        );
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}
