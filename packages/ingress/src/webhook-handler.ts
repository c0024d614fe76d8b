// The webhook ingress: a Web-standard handler (Request in, Response out) that Next.js mounts under /hooks and
// that the web process's own HTTP server also calls directly, skipping the page router (one code path, the
// fast way in). A request becomes a run's message; the run is committed to Postgres before any 2xx.
import {
  AppError,
  acceptRun,
  createMessage,
  type Db,
  HTTP_STATUS,
  type JobQueue,
  type MessageHeader,
  matchPattern,
  type RuleType,
  ruleFailuresKey,
  runOutcome,
  type SecretBox,
  startRun,
  verifyRequest,
  type WebhookRouteView,
} from "@tributary/core";
import type { Redis } from "ioredis";
import { MalformedBodyError, parseBody } from "./parse-body.ts";
import { BodyTooLargeError, readBody } from "./read-body.ts";
import { problem, UNAUTHORIZED_MESSAGE } from "./responses.ts";
import type { RunWaiter } from "./run-waiter.ts";
import { withSoapFraming } from "./soap-framing.ts";
import { isSensitiveHeader, parseWebhookUrl } from "./webhook-request.ts";
import { createWorkspaceCache } from "./workspace-cache.ts";

export type WebhookHandlerDeps = {
  db: Db;
  redis: Redis;
  queue: JobQueue;
  secretBox: SecretBox;
  waiter: RunWaiter;
  /** How long a workspace's routes and rules are kept between loads; changes take effect within it. */
  cacheTtlMs?: number;
};

export type WebhookHandler = (request: Request, info: { clientIp: string }) => Promise<Response>;

const MAX_HEADER_BYTES = 64 * 1024;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export function createWebhookHandler(deps: WebhookHandlerDeps): WebhookHandler {
  const workspaces = createWorkspaceCache({ db: deps.db, secretBox: deps.secretBox, ttlMs: deps.cacheTtlMs ?? 1_000 });

  const handle: WebhookHandler = async function handle(request, { clientIp }) {
    const url = new URL(request.url);
    const address = parseWebhookUrl(url.pathname);
    if (!address)
      return problem(404, "not_found", "No webhook here. Webhook URLs look like /hooks/<workspace>/<path>.");
    let workspace: Awaited<ReturnType<typeof workspaces>>;
    try {
      workspace = await workspaces({ slug: address.slug, isTest: address.isTest });
    } catch {
      return problem(
        503,
        "unavailable",
        "Tributary cannot reach its database right now; nothing was accepted. Try again shortly.",
        {
          headers: { "retry-after": "5" },
        },
      );
    }
    if (!workspace) return problem(404, "not_found", `There is no workspace "${address.slug}".`);
    const found = findRoute(workspace.routes, address.path);
    if (!found) return problem(404, "not_found", `No flow of this workspace listens at "${address.path}".`);
    const { route, params } = found;
    if (!route.methods.includes(request.method)) {
      return problem(405, "method_not_allowed", `This webhook accepts ${route.methods.join(", ")}.`, {
        headers: { allow: route.methods.join(", ") },
      });
    }
    if (!address.isTest && route.flowStatus === "paused") {
      return problem(
        503,
        "flow_paused",
        `The flow "${route.flowName}" is paused: it accepts no calls until someone activates it.`,
      );
    }
    if (!address.isTest && !route.versionId)
      return problem(503, "not_published", `The flow "${route.flowName}" has not been published.`);

    // Per workspace and minute, counted in Redis; if Redis is down the call is let through (nothing is lost).
    const minute = Math.floor(Date.now() / 60_000);
    const rateKey = `ingress:rate:${workspace.workspaceId}:${minute}`;
    const count = await deps.redis
      .multi()
      .incr(rateKey)
      .expire(rateKey, 120)
      .exec()
      .then(
        (replies) => Number(replies?.[0]?.[1] ?? 0),
        () => 0,
      );
    if (count > workspace.limits.runsPerMinute) {
      const retryAfter = 60 - Math.floor((Date.now() / 1000) % 60);
      return problem(
        429,
        "rate_limited",
        `This workspace's plan allows ${workspace.limits.runsPerMinute} webhook calls a minute.`,
        {
          headers: { "retry-after": String(retryAfter) },
        },
      );
    }

    let headerBytes = 0;
    request.headers.forEach((value, name) => {
      headerBytes += name.length + value.length;
    });
    if (headerBytes > MAX_HEADER_BYTES)
      return problem(431, "headers_too_large", "The request's headers are too large.");

    let raw: Uint8Array;
    try {
      raw = await readBody({ request, maxBytes: workspace.limits.maxMessageBytes });
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        return problem(
          413,
          "payload_too_large",
          `The body is larger than this workspace's plan allows (${workspace.limits.maxMessageBytes} bytes).`,
        );
      }
      return problem(400, "bad_request", "The request body could not be read.");
    }

    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const rules = route.securityRuleIds.flatMap((id) => {
      const rule = workspace.rules.get(id);
      return rule ? [rule] : [];
    });
    if (route.securityRuleIds.length && rules.length === 0) {
      // Every rule this trigger required was deleted: refuse rather than fall open.
      return problem(401, "unauthorized", UNAUTHORIZED_MESSAGE);
    }
    const verdict = verifyRequest({
      rules,
      facts: { headers, query: url.searchParams, rawBody: raw, clientIp, now: new Date() },
    });
    if (!verdict.ok) {
      const pipeline = deps.redis.pipeline();
      for (const ruleId of verdict.failedRuleIds) {
        const key = ruleFailuresKey({ workspaceId: workspace.workspaceId, ruleId });
        pipeline.incr(key).set(`${key}:last`, new Date().toISOString());
      }
      void pipeline.exec().catch(() => undefined);
      return problem(401, "unauthorized", UNAUTHORIZED_MESSAGE);
    }

    let body: unknown;
    try {
      body = parseBody({ bytes: raw, contentType: headers["content-type"] ?? "" });
    } catch (error) {
      if (error instanceof MalformedBodyError) return problem(400, "malformed_body", error.message);
      return problem(400, "malformed_body", "The body could not be parsed for its content type.");
    }

    const secretHeaders = new Set(
      rules
        .filter((r) => r.type === ("api_key" satisfies RuleType))
        .map((r) => String((r.config as { name?: string }).name ?? "").toLowerCase()),
    );
    const messageHeaders: MessageHeader[] = [
      { name: "http-method", value: request.method },
      { name: "http-path", value: address.path },
      { name: "client-ip", value: clientIp },
      ...Object.entries(headers).map(([name, value]) => ({
        name,
        value: isSensitiveHeader(name, secretHeaders) ? "[redacted]" : value,
      })),
      ...[...url.searchParams].map(([name, value]) => ({ name: `query.${name}`, value })),
      ...Object.entries(params).map(([name, value]) => ({ name: `param.${name}`, value })),
    ];
    const keyHeader = headers["idempotency-key"] ?? headers["webhook-id"];
    const idempotencyKey = keyHeader && IDEMPOTENCY_KEY.test(keyHeader) ? keyHeader : null;

    let accepted: { runId: string; messageId: string; duplicate: boolean };
    try {
      if (address.isTest) {
        const started = await startRun({
          db: deps.db,
          queue: deps.queue,
          workspaceId: workspace.workspaceId,
          flowId: route.flowId,
          trigger: "webhook",
          triggerStepId: route.stepId,
          body,
          headers: messageHeaders,
          isTest: true,
        });
        accepted = { runId: started.runId, messageId: started.messageId, duplicate: false };
      } else {
        accepted = await acceptRun({
          db: deps.db,
          workspaceId: workspace.workspaceId,
          flowId: route.flowId,
          versionId: route.versionId ?? "",
          triggerStepId: route.stepId,
          message: createMessage({ id: crypto.randomUUID(), body, headers: messageHeaders }),
          idempotencyKey,
        });
      }
    } catch (error) {
      // A draft that cannot be tested, a message over the plan's size… say so; anything else is the database.
      if (error instanceof AppError)
        return problem(HTTP_STATUS[error.code], error.code.toLowerCase(), error.message, { details: error.details });
      return problem(
        503,
        "unavailable",
        "Tributary cannot store the call right now; nothing was accepted. Try again shortly.",
        {
          headers: { "retry-after": "5" },
        },
      );
    }

    if (route.responseMode === "async") {
      if (!accepted.duplicate && !address.isTest) await enqueue(deps.queue, workspace.workspaceId, accepted.runId);
      return Response.json(
        { runId: accepted.runId, messageId: accepted.messageId },
        { status: 202, headers: { "cache-control": "no-store" } },
      );
    }
    return answerWhenReady({
      deps,
      workspaceId: workspace.workspaceId,
      route,
      accepted,
      planCapSeconds: workspace.limits.runTimeoutSeconds,
      concurrentWaits: workspace.limits.concurrentRuns,
      isTest: address.isTest,
    });
  };
  // SOAP webhooks: envelopes in and out and their WSDL on GET ?wsdl, around this same handler (soap-framing.ts).
  return withSoapFraming({ handle, workspaces, findRoute });
}

function findRoute(
  routes: WebhookRouteView[],
  path: string,
): { route: WebhookRouteView; params: Record<string, string> } | null {
  for (const route of routes) {
    const params = matchPattern(route.compiled, path);
    if (params) return { route, params };
  }
  return null;
}

async function enqueue(queue: JobQueue, workspaceId: string, runId: string): Promise<void> {
  // Accepted already: if Redis is down the sweeper enqueues the run later.
  await queue.enqueueRun({ workspaceId, runId }).catch(() => undefined);
}

/** Sync mode: wait for the run's respond step (or its end), or answer 504 with the run id at the timeout. */
async function answerWhenReady({
  deps,
  workspaceId,
  route,
  accepted,
  planCapSeconds,
  concurrentWaits,
  isTest,
}: {
  deps: WebhookHandlerDeps;
  workspaceId: string;
  route: WebhookRouteView;
  accepted: { runId: string; messageId: string; duplicate: boolean };
  planCapSeconds: number;
  concurrentWaits: number;
  isTest: boolean;
}): Promise<Response> {
  const waitsKey = `ingress:sync-waits:${workspaceId}`;
  const waiting = await deps.redis.incr(waitsKey).catch(() => 0);
  try {
    if (waiting > concurrentWaits) {
      if (!accepted.duplicate && !isTest) await enqueue(deps.queue, workspaceId, accepted.runId);
      return problem(
        429,
        "too_many_waiting",
        `This workspace's plan allows ${concurrentWaits} callers waiting at once; the run was accepted and will run.`,
        {
          headers: { "retry-after": "1" },
          details: { runId: accepted.runId },
        },
      );
    }
    const watch = deps.waiter.watch(accepted.runId);
    try {
      await watch.ready;
      if (!accepted.duplicate && !isTest) await enqueue(deps.queue, workspaceId, accepted.runId);
      const early = await runOutcome({ db: deps.db, workspaceId, runId: accepted.runId });
      if (!early || !(early.response || ["succeeded", "failed", "cancelled"].includes(early.status))) {
        const timeoutMs = Math.min(route.timeoutSeconds, planCapSeconds) * 1000;
        await Promise.race([watch.answered, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
      }
    } finally {
      watch.stop();
    }
    const outcome = await runOutcome({ db: deps.db, workspaceId, runId: accepted.runId });
    if (outcome?.response) {
      const { status, headers, body } = outcome.response;
      const text = typeof body === "string";
      return new Response(text ? body : JSON.stringify(body ?? null), {
        status,
        headers: {
          "content-type": text ? "text/plain; charset=utf-8" : "application/json",
          "x-tributary-run": accepted.runId,
          ...headers,
        },
      });
    }
    if (outcome?.status === "succeeded") {
      return Response.json(outcome.output?.body ?? null, {
        status: 200,
        headers: { "x-tributary-run": accepted.runId },
      });
    }
    if (outcome?.status === "failed" || outcome?.status === "cancelled") {
      return problem(500, "run_failed", `The flow did not finish: ${outcome.error?.message ?? outcome.status}.`, {
        details: { runId: accepted.runId },
      });
    }
    return problem(504, "timeout", "The flow did not answer in time; it goes on running.", {
      details: { runId: accepted.runId, messageId: accepted.messageId },
    });
  } finally {
    await deps.redis.decr(waitsKey).catch(() => 0);
  }
}
