// The web process's HTTP server itself (apps/web/src/server/web-server.ts) with the real webhook and REST
// handlers behind it, spoken to over raw sockets: a refused body closes its connection (so a kept-alive
// connection never hangs on it), headers up to the documented 64 KiB are read and larger ones get a 431 that
// says why, and input too deep or too large for the REST API is a 4xx naming the limit.
import type { Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientIp } from "../../apps/web/src/server/client-ip.ts";
import { createWebServer } from "../../apps/web/src/server/web-server.ts";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { callerFor, restHandlerFor } from "../support/api-caller.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph, publishedFlow } from "../support/run-helpers.ts";
import { webhookHarness } from "../support/webhook-harness.ts";

const env = useTestEnvironment();
let hooks: ReturnType<typeof webhookHarness>;
let seeded: SeededWorkspace;
let server: Server;
let port: number;
let apiKey: string;

beforeAll(async () => {
  seeded = await seedWorkspace({ db: env.db });
  hooks = webhookHarness(env);
  const rest = restHandlerFor({ env, clientIp: (request) => clientIp(request.headers) });
  apiKey = (
    await callerFor({ env, user: seeded.owner }).apiKeys.create({
      workspaceId: seeded.workspace.id,
      name: "server test",
      role: "editor",
    })
  ).key;
  await publishedFlow({
    db: env.db,
    workspaceId: seeded.workspace.id,
    actor: seeded.owner.actor,
    graph: graph([["hook", "trigger.webhook", { path: "in", methods: ["POST"] }]], []),
  });
  server = createWebServer({
    webhooks: (request, info) => hooks.handle(request, info.clientIp),
    rest,
    next: (_req, res) => res.writeHead(404).end(),
    trustProxyHops: 0,
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((done) => server?.close(done));
  await hooks?.close();
});

type RawAnswer = { status: number; headers: Record<string, string>; body: string };

/**
 * One kept-alive connection: `send` writes raw bytes and resolves with the next full answer; `closed`
 * resolves when the server ends the connection.
 */
function openConnection() {
  const socket = connect(port, "127.0.0.1");
  let buffer = "";
  let waiting: ((answer: RawAnswer) => void) | null = null;
  const closed = new Promise<void>((done) => socket.once("close", () => done()));
  const tryAnswer = () => {
    const end = buffer.indexOf("\r\n\r\n");
    if (end < 0 || !waiting) return;
    const [statusLine = "", ...lines] = buffer.slice(0, end).split("\r\n");
    const headers = Object.fromEntries(
      lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]),
    );
    const rest = buffer.slice(end + 4);
    const framed = headers["transfer-encoding"] === "chunked" ? unchunk(rest) : fixedLength(rest, headers);
    if (!framed) return;
    const { body, used } = framed;
    buffer = rest.slice(used);
    const resolve = waiting;
    waiting = null;
    resolve({ status: Number(statusLine.split(" ")[1]), headers, body });
  };
  socket.on("data", (chunk) => {
    buffer += chunk.toString("latin1");
    tryAnswer();
  });
  socket.on("error", () => {});
  return {
    socket,
    closed,
    send(bytes: string, timeoutMs = 5_000): Promise<RawAnswer> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`No answer within ${timeoutMs} ms`)), timeoutMs);
        waiting = (answer) => {
          clearTimeout(timer);
          resolve(answer);
        };
        socket.write(bytes);
        tryAnswer();
      });
    },
  };
}

function fixedLength(rest: string, headers: Record<string, string>) {
  const length = Number(headers["content-length"] ?? 0);
  return rest.length < length ? null : { body: rest.slice(0, length), used: length };
}

/** A chunked body, once all of it (up to the zero-size chunk) is in. */
function unchunk(rest: string) {
  let body = "";
  let at = 0;
  for (;;) {
    const lineEnd = rest.indexOf("\r\n", at);
    if (lineEnd < 0) return null;
    const size = Number.parseInt(rest.slice(at, lineEnd), 16);
    if (rest.length < lineEnd + 2 + size + 2) return null;
    body += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
    if (size === 0) return { body, used: at };
  }
}

const post = (path: string, body: string, extra = "") =>
  `POST ${path} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

describe("the web server", () => {
  it("closes the connection after a 413, so nothing waits on the unread rest", async () => {
    const connection = openConnection();
    const declared = 50 * 1024 * 1024;
    // Headers promising 50 MiB, then only the first bytes of it: the 413 must not wait for the rest.
    const answer = await connection.send(
      `POST /hooks/${seeded.workspace.slug}/in HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${declared}\r\n\r\n{"a":"${"x".repeat(1024)}`,
    );
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe("close");
    expect(JSON.parse(answer.body).error.message).toMatch(/bytes/);
    await connection.closed;

    // The same over the REST API, whose own limit is in its answer.
    const rest = openConnection();
    const restAnswer = await rest.send(
      `POST /api/v1/flows HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${apiKey}\r\ncontent-type: application/json\r\ncontent-length: ${declared}\r\n\r\n{"name":"`,
    );
    expect(restAnswer.status).toBe(413);
    expect(restAnswer.headers.connection).toBe("close");
    expect(JSON.parse(restAnswer.body).error.message).toMatch(/\d+ bytes/);
    await rest.closed;
  });

  it("keeps a connection whose body was read, and answers every request on it", async () => {
    const connection = openConnection();
    for (let n = 0; n < 3; n++) {
      const answer = await connection.send(post(`/hooks/${seeded.workspace.slug}/in`, JSON.stringify({ n })));
      expect(answer.status).toBe(202);
      expect(answer.headers.connection).not.toBe("close");
    }
    const listed = await connection.send(
      `GET /api/v1/flows HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${apiKey}\r\n\r\n`,
    );
    expect(listed.status).toBe(200);
    expect(listed.headers.connection).not.toBe("close");
    connection.socket.destroy();
  });

  it("reads headers up to 64 KiB and answers larger ones with a 431 that says why", async () => {
    const within = openConnection();
    const fits = await within.send(
      post(`/hooks/${seeded.workspace.slug}/in`, "{}", `x-big: ${"h".repeat(60 * 1024)}\r\n`),
    );
    expect(fits.status).toBe(202);
    within.socket.destroy();

    const over = openConnection();
    const refused = await over.send(
      post(`/hooks/${seeded.workspace.slug}/in`, "{}", `x-big: ${"h".repeat(70 * 1024)}\r\n`),
    );
    expect(refused.status).toBe(431);
    expect(JSON.parse(refused.body).error).toMatchObject({
      code: "headers_too_large",
      message: expect.stringMatching(/64 KiB/),
    });
    await over.closed;
  });

  it("answers deep, broken and mistyped input to the REST API with a 4xx naming the problem", async () => {
    const connection = openConnection();
    const auth = `authorization: Bearer ${apiKey}\r\n`;
    const deep = await connection.send(
      post("/api/v1/flows", `{"name":"deep","description":${"[".repeat(5000)}${"]".repeat(5000)}}`, auth),
    );
    expect(deep.status).toBe(400);
    expect(JSON.parse(deep.body).error.message).toMatch(/256 levels/);

    const broken = await connection.send(post("/api/v1/flows", '{"name": ', auth));
    expect(broken.status).toBe(400);

    for (const ids of [[null], [123]]) {
      const answer = await connection.send(
        post(
          "/api/v1/flows",
          JSON.stringify({
            name: `rules ${JSON.stringify(ids)}`,
            graph: {
              version: 1,
              steps: [{ id: "hook", type: "trigger.webhook", config: { path: "ruled", securityRuleIds: ids } }],
              edges: [],
            },
          }),
          auth,
        ),
      );
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body).error.details.fields).toContainEqual(
        expect.objectContaining({ path: "graph.steps.0.config.securityRuleIds.0" }),
      );
    }

    const deepHook = await connection.send(
      post(`/hooks/${seeded.workspace.slug}/in`, `${"[".repeat(5000)}1${"]".repeat(5000)}`),
    );
    expect(deepHook.status).toBe(400);
    expect(deepHook.headers["retry-after"]).toBeUndefined();
    expect(JSON.parse(deepHook.body).error.message).toMatch(/256 levels/);
    connection.socket.destroy();
  });
});
