// A real HTTP server on loopback that flows call in tests: it answers by path and counts what it received.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Received = { method: string; path: string; headers: IncomingMessage["headers"]; body: string };
type Route = (request: Received, response: ServerResponse) => void;

export type HttpTarget = {
  url: string;
  received: Received[];
  route(path: string, handler: Route): void;
  close(): Promise<void>;
};

/** `host`: the loopback address to listen on (127.0.0.2 and up are loopback too, for a second "private" host). */
export async function startHttpTarget({ host = "127.0.0.1" }: { host?: string } = {}): Promise<HttpTarget> {
  const routes = new Map<string, Route>();
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const request = { method: req.method ?? "GET", path, headers: req.headers, body };
      received.push(request);
      const handler = routes.get(path);
      if (handler) handler(request, res);
      else res.writeHead(404, { "content-type": "application/json" }).end('{"error":"no such path"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    received,
    route: (path, handler) => routes.set(path, handler),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
