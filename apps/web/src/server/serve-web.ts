// Runs a Web-standard handler (Request → Response) on a node:http request and response. A request whose body
// the handler did not read to its end (refused as too large, or not needed) ends its connection: the unread
// rest would otherwise be taken for the next request on it, or be waited for.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";

export async function serveWeb({
  req,
  res,
  handler,
}: {
  req: IncomingMessage;
  res: ServerResponse;
  handler: (request: Request) => Promise<Response>;
}): Promise<void> {
  try {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
      method: req.method ?? "GET",
      headers,
      ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {}),
    } as RequestInit);
    const response = await handler(request);
    // Every answer of these handlers is made in memory (JSON, a flow's response): written in one piece, with
    // its length, rather than chunk by chunk.
    const body = response.body ? Buffer.from(await response.arrayBuffer()) : null;
    const answerHeaders = Object.fromEntries(response.headers);
    if (!req.complete) answerHeaders.connection = "close";
    if (body) answerHeaders["content-length"] = String(body.byteLength);
    res.writeHead(response.status, answerHeaders);
    res.end(body);
  } catch {
    if (!res.headersSent) res.writeHead(500, { "content-type": "application/json", connection: "close" });
    res.end('{"error":{"code":"internal","message":"Something went wrong while answering this request."}}');
  }
}
