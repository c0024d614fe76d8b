import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { specialRange } from "./address-policy.ts";
import { isTransient, OutboundBlockedError, OutboundResponseTooLargeError, OutboundTimeoutError } from "./errors.ts";
import { createGuardedHttpClient } from "./guarded-http-client.ts";

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
const routes = new Map<string, Handler>();
let server: Server;
let port = 0;
let base = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const handler = routes.get(new URL(req.url ?? "/", "http://x").pathname);
      if (handler) handler(req, res, body);
      else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  routes.set("/json", (req, res) =>
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ hello: "world", method: req.method })),
  );
  routes.set("/echo", (req, res, body) =>
    res.writeHead(200).end(JSON.stringify({ method: req.method, headers: req.headers, body })),
  );
  routes.set("/to-echo-303", (_req, res) => res.writeHead(303, { location: "/echo" }).end());
  routes.set("/to-other-origin", (_req, res) =>
    res.writeHead(302, { location: `http://localhost:${port}/echo` }).end(),
  );
  routes.set("/to-metadata", (_req, res) =>
    res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end(),
  );
  routes.set("/to-file", (_req, res) => res.writeHead(302, { location: "file:///etc/passwd" }).end());
  routes.set("/loop", (_req, res) => res.writeHead(302, { location: "/loop" }).end());
  routes.set("/never", () => {});
  routes.set("/dribble", (_req, res) => {
    res.writeHead(200);
    const timer = setInterval(() => res.write("."), 200);
    res.on("close", () => clearInterval(timer));
  });
  routes.set("/endless", (_req, res) => {
    res.writeHead(200);
    const chunk = Buffer.alloc(64 * 1024, 120);
    const pump = () => {
      while (res.write(chunk)) {
        /* keep writing until the socket pushes back */
      }
    };
    res.on("drain", pump);
    pump();
  });
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const loopbackAllowed = () => createGuardedHttpClient({ allowHosts: ["127.0.0.1", "localhost"] });

async function blocked(work: Promise<unknown>) {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutboundBlockedError);
  return error as OutboundBlockedError;
}

describe("guarded HTTP client", () => {
  it("refuses loopback by default and says how to allow it", async () => {
    const client = createGuardedHttpClient();
    const error = await blocked(client.request({ method: "GET", url: `${base}/json` }));
    expect(error.message).toMatch(/127\.0\.0\.1 are refused: it is a loopback address.*allowed hosts/);
    expect(isTransient(error)).toBe(false);
    await client.close();
  });

  it("reaches an allowed host, with JSON and text helpers", async () => {
    const client = loopbackAllowed();
    const response = await client.request({ method: "GET", url: `${base}/json` });
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ hello: "world", method: "GET" });
    expect(response.headers["content-type"]).toBe("application/json");
    expect(response.text()).toContain("world");
    await client.close();
  });

  it("refuses a name that resolves to a private address, checked at connect time", async () => {
    const client = createGuardedHttpClient({
      lookup: (_host, callback) => callback(null, [{ address: "10.1.2.3", family: 4 }]),
    });
    const error = await blocked(client.request({ method: "GET", url: "http://internal.example.com/" }));
    expect(error.message).toMatch(/internal\.example\.com \(10\.1\.2\.3\).*private/);
    await client.close();
  });

  it("refuses a name whose answer mixes public and private addresses", async () => {
    const client = createGuardedHttpClient({
      lookup: (_host, callback) =>
        callback(null, [
          { address: "93.184.216.34", family: 4 },
          { address: "127.0.0.1", family: 4 },
        ]),
    });
    await blocked(client.request({ method: "GET", url: "http://rebind.example.com/" }));
    await client.close();
  });

  it("refuses `localhost` by name", async () => {
    const client = createGuardedHttpClient();
    await blocked(client.request({ method: "GET", url: `http://localhost:${port}/json` }));
    await client.close();
  });

  it.each([
    "http://2130706433/",
    "http://0x7f.0.0.1/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[0:0:0:0:0:ffff:7f00:1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
    "http://0.0.0.0/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://100.64.0.1/",
    "http://192.168.1.1/",
    "http://172.16.0.1/",
    "http://224.0.0.1/",
  ])("refuses %s", async (url) => {
    const client = createGuardedHttpClient();
    await blocked(client.request({ method: "GET", url }));
    await client.close();
  });

  it("classifies addresses", () => {
    expect(specialRange("8.8.8.8")).toBeNull();
    expect(specialRange("2606:4700:4700::1111")).toBeNull();
    expect(specialRange("::ffff:8.8.8.8")).toBeNull();
    expect(specialRange("169.254.169.254")).toBe("linkLocal");
  });

  it("refuses schemes other than http and https", async () => {
    const client = loopbackAllowed();
    for (const url of ["file:///etc/passwd", "ftp://example.com/", "gopher://example.com/", "data:text/plain,hi"]) {
      await blocked(client.request({ method: "GET", url }));
    }
    await client.close();
  });

  it("checks every redirect hop: to a forbidden address, to another scheme", async () => {
    const client = createGuardedHttpClient({ allowHosts: ["127.0.0.1"] });
    await blocked(client.request({ method: "GET", url: `${base}/to-metadata` }));
    await blocked(client.request({ method: "GET", url: `${base}/to-file` }));
    await client.close();
  });

  it("follows redirects, turning POST into GET on 303 and dropping credentials across origins", async () => {
    const client = loopbackAllowed();
    const seeOther = await client.request({
      method: "POST",
      url: `${base}/to-echo-303`,
      body: "payload",
      headers: { "content-type": "text/plain" },
    });
    expect(seeOther.json()).toMatchObject({ method: "GET", body: "" });
    expect(seeOther.redirects).toEqual([`${base}/echo`]);
    const crossOrigin = await client.request({
      method: "GET",
      url: `${base}/to-other-origin`,
      headers: { Authorization: "Bearer secret", "X-Keep": "1" },
    });
    const echoed = crossOrigin.json() as { headers: Record<string, string> };
    expect(echoed.headers.authorization).toBeUndefined();
    expect(echoed.headers["x-keep"]).toBe("1");
    expect(crossOrigin.url).toBe(`http://localhost:${port}/echo`);
    await client.close();
  });

  it("stops after too many redirects", async () => {
    const client = createGuardedHttpClient({ allowHosts: ["127.0.0.1"], maxRedirects: 3 });
    await expect(client.request({ method: "GET", url: `${base}/loop` })).rejects.toThrow(
      /Too many redirects \(more than 3\)/,
    );
    await client.close();
  });

  it("times out a server that never answers, and one that dribbles its body", async () => {
    const client = createGuardedHttpClient({ allowHosts: ["127.0.0.1"], timeoutMs: 500 });
    const never = await client.request({ method: "GET", url: `${base}/never` }).catch((e: unknown) => e);
    expect(never).toBeInstanceOf(OutboundTimeoutError);
    expect(isTransient(never)).toBe(true);
    const dribble = await client.request({ method: "GET", url: `${base}/dribble` }).catch((e: unknown) => e);
    expect(dribble).toBeInstanceOf(OutboundTimeoutError);
    await client.close();
  });

  it("cuts an endless response at the size limit", async () => {
    const client = createGuardedHttpClient({ allowHosts: ["127.0.0.1"], maxResponseBytes: 256 * 1024 });
    const error = await client.request({ method: "GET", url: `${base}/endless` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundResponseTooLargeError);
    await client.close();
  });

  it("with allowOnlyUrls, calls only under those prefixes and opens no other socket", async () => {
    const client = createGuardedHttpClient({ allowOnlyUrls: [`${base}/json`] });
    expect((await client.request({ method: "GET", url: `${base}/json` })).status).toBe(200);
    for (const url of ["http://example.com/", `${base}/echo`, `${base}/json-x`, `http://localhost:${port}/json`]) {
      const error = await blocked(client.request({ method: "GET", url }));
      expect(error.message).toMatch(/are refused: this workspace's plan may call only/);
    }
    await expect(client.resolve("127.0.0.1")).rejects.toBeInstanceOf(OutboundBlockedError);
    await client.close();
  });

  it("sends an idempotency key and says a refused port is worth retrying", async () => {
    const client = loopbackAllowed();
    const echoed = (
      await client.request({ method: "POST", url: `${base}/echo`, body: "x", idempotencyKey: "run-1:step-2" })
    ).json() as {
      headers: Record<string, string>;
    };
    expect(echoed.headers["idempotency-key"]).toBe("run-1:step-2");
    const refused = await client.request({ method: "GET", url: "http://127.0.0.1:9/" }).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/Could not reach 127\.0\.0\.1:9: connection refused/);
    expect(isTransient(refused)).toBe(true);
    await client.close();
  });
});
