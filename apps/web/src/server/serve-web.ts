// Runs a Web-standard handler (Request → Response) on a node:http request and response. A request whose body
// the handler did not read to its end (refused as too large, or not needed) ends its connection: the unread
// rest would otherwise be taken for the next request on it, or be waited for.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";

/**
 * A body that declares itself this small is read here, natively, and handed over whole: bridging node's stream
 * to a Web stream cost more per call than reading it (and made garbage that outlived young collections). A
 * larger or chunked body streams, so the handler's cap stops reading it.
 */
const READ_AHEAD_BYTES = 64 * 1024;

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
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : await bodyOf(req);
    const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
      method: req.method ?? "GET",
      headers,
      ...(body ? { body, duplex: "half" } : {}),
    } as RequestInit);
    const response = await handler(request);
    // Every answer of these handlers is made in memory (JSON, a flow's response): written in one piece, with
    // its length, rather than chunk by chunk.
    const answer = response.body ? Buffer.from(await response.arrayBuffer()) : null;
    const answerHeaders = Object.fromEntries(response.headers);
    if (!req.complete) answerHeaders.connection = "close";
    if (answer) answerHeaders["content-length"] = String(answer.byteLength);
    res.writeHead(response.status, answerHeaders);
    res.end(answer);
  } catch {
    if (!res.headersSent) res.writeHead(500, { "content-type": "application/json", connection: "close" });
    res.end('{"error":{"code":"internal","message":"Something went wrong while answering this request."}}');
  }
}

function bodyOf(req: IncomingMessage): Promise<Buffer | ReadableStream> | ReadableStream {
  const declared = Number(req.headers["content-length"]);
  if (Number.isInteger(declared) && declared <= READ_AHEAD_BYTES) return buffer(req);
  return Readable.toWeb(req) as ReadableStream;
}
