// Malformed and hostile requests thrown at the real ingress (Postgres and Redis behind it): broken JSON, wrong
// content types, huge headers, deep nesting, __proto__ keys, unicode and encoded paths, odd methods, slow
// bodies. The ingress must never crash, never answer a 5xx other than 503/504, and never start a run for a
// request it refused: every run in the database belongs to a 2xx answer.
import { scoped } from "@tributary/db";
import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededWorkspace, seedWorkspace } from "../factories/seed.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph, publishedFlow } from "../support/run-helpers.ts";
import { webhookHarness } from "../support/webhook-harness.ts";

const env = useTestEnvironment();
let hooks: ReturnType<typeof webhookHarness>;
let seeded: SeededWorkspace;

beforeAll(async () => {
  hooks = webhookHarness(env);
  seeded = await seedWorkspace({ db: env.db });
  // The fuzzer sends far more than a plan's calls per minute; the limit has its own test.
  const admin = new pg.Client({ connectionString: env.databaseUrl });
  await admin.connect();
  await admin.query("UPDATE plans SET runs_per_minute = 1000000");
  await admin.end();
  await publishedFlow({
    db: env.db,
    workspaceId: seeded.workspace.id,
    actor: seeded.owner.actor,
    graph: graph([["hook", "trigger.webhook", { path: "fuzz/{id}", methods: ["POST", "PUT"] }]], []),
  });
});
afterAll(() => hooks?.close());

const countRuns = () =>
  scoped(env.db, { workspaceId: seeded.workspace.id }, (tx) =>
    tx.run.count({ where: { workspaceId: seeded.workspace.id } }),
  );

const deepJson = (depth: number) => `${"[".repeat(depth)}1${"]".repeat(depth)}`;

const pathSegment = fc.oneof(
  fc.constantFrom("fuzz/1", "fuzz/%2e%2e", "fuzz/..", "fuzz/%00", "fuzz/%zz", "fuzz/%E2%82%AC", "fuzz/a%2Fb", "fuzz"),
  fc.string({ unit: "grapheme", maxLength: 30 }).map((text) => `fuzz/${encodeURIComponent(text)}`),
  fc.string({ maxLength: 40 }).map((text) => text.replace(/[?#]/g, "")),
  fc.constant(`fuzz/${"x".repeat(5000)}`),
);

const body = fc.oneof(
  fc.constantFrom('{"open": ', "{'single': 1}", "null", "[]", '{"__proto__": {"polluted": true}}', ""),
  fc.constant('{"constructor": {"prototype": {"polluted": true}}}'),
  fc.integer({ min: 1, max: 20_000 }).map(deepJson),
  fc.json(),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.uint8Array({ maxLength: 300 }),
  fc.constant("a=1&__proto__[x]=2&constructor=3&b=%zz"),
  fc.constant("<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>"),
);

const contentType = fc.oneof(
  fc.constantFrom(
    "application/json",
    "application/json; charset=utf-16",
    "application/x-www-form-urlencoded",
    "text/plain",
    "application/xml",
    "application/octet-stream",
    "multipart/form-data; boundary=",
    "",
  ),
  fc.string({ maxLength: 40 }).filter((text) => /^[\x20-\x7e]*$/.test(text)),
);

const headerName = fc
  .stringMatching(/^[a-z][a-z0-9-]{0,20}$/)
  .filter((name) => !/^(idempotency-key|webhook-id|host|content-length|transfer-encoding)$/.test(name));
const headers = fc.dictionary(
  headerName,
  fc.string({ maxLength: 100 }).filter((v) => /^[\x20-\x7e]*$/.test(v)),
  {
    maxKeys: 8,
  },
);

const method = fc.constantFrom("POST", "PUT", "GET", "DELETE", "PATCH", "OPTIONS", "HEAD");

type Outcome = { status: number; accepted: boolean };

async function send(request: Request, ip: string): Promise<Outcome> {
  const response = await hooks.handle(request, ip);
  const text = await response.text();
  expect(
    response.status === 503 || response.status === 504 || response.status < 500,
    `${response.status}: ${text}`,
  ).toBe(true);
  const accepted = response.status >= 200 && response.status < 300;
  if (accepted) expect(JSON.parse(text).runId).toMatch(/^[0-9a-f-]{36}$/);
  return { status: response.status, accepted };
}

describe("webhook ingress under hostile input", () => {
  it("never crashes, never 5xx but 503/504, and starts runs only for what it accepted", async () => {
    const before = await countRuns();
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        method,
        pathSegment,
        contentType,
        body,
        headers,
        fc.constantFrom("203.0.113.9", "::1", "::ffff:10.0.0.1", "garbage"),
        async (verb, path, type, payload, extra, ip) => {
          let url: string;
          try {
            url = new URL(`http://localhost/hooks/${seeded.workspace.slug}/${path}`).toString();
          } catch {
            return; // not a URL any client could send
          }
          const requestHeaders = new Headers(extra);
          if (type) requestHeaders.set("content-type", type);
          const hasBody = verb !== "GET" && verb !== "HEAD";
          const outcome = await send(
            new Request(url, { method: verb, headers: requestHeaders, ...(hasBody ? { body: payload } : {}) }),
            ip,
          );
          if (outcome.accepted) accepted++;
        },
      ),
      { numRuns: 300, seed: 20261124 },
    );
    expect(accepted).toBeGreaterThan(0);
    expect((await countRuns()) - before).toBe(accepted);
  }, 120_000);

  it("refuses huge headers with 431 and oversized or slow bodies without a run", async () => {
    const before = await countRuns();
    const url = `http://localhost/hooks/${seeded.workspace.slug}/fuzz/1`;
    const huge = await send(
      new Request(url, { method: "POST", headers: { "x-big": "h".repeat(70 * 1024) }, body: "{}" }),
      "203.0.113.9",
    );
    expect(huge.status).toBe(431);

    // A body that dribbles in, then grows past the plan's size: refused, never truncated into a run.
    const dribble = new ReadableStream<Uint8Array>({
      async start(controller) {
        for (let i = 0; i < 20; i++) {
          controller.enqueue(new Uint8Array(64 * 1024).fill(0x61));
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        controller.close();
      },
    });
    const slow = await send(
      new Request(url, { method: "POST", body: dribble, duplex: "half" } as RequestInit),
      "203.0.113.9",
    );
    expect(slow.status).toBe(413);

    // A slow but small body is read to its end and accepted once.
    const small = new ReadableStream<Uint8Array>({
      async start(controller) {
        for (const part of ['{"slow":', " true", "}"]) {
          controller.enqueue(new TextEncoder().encode(part));
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        controller.close();
      },
    });
    const patient = await send(
      new Request(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: small,
        duplex: "half",
      } as RequestInit),
      "203.0.113.9",
    );
    expect(patient.status).toBe(202);
    expect((await countRuns()) - before).toBe(1);
  });
});
