// The webhook ingress: a Web-standard handler (Request in, Response out) that the web process's HTTP server
// calls for /hooks and /hooks-test, before Next's router (the fast way in). A request becomes a run's message;
// the run is committed to Postgres before any 2xx.
import { createHash } from "node:crypto";
import {
  type AcceptedRun,
  AppError,
  BodyTooLargeError,
  createMessage,
  type Db,
  HTTP_STATUS,
  type JobQueue,
  type MessageHeader,
  matchPattern,
  type RuleType,
  type RunEventHub,
  type RunIntake,
  readBody,
  ruleFailuresKey,
  type SecretBox,
  startRun,
  uuidv7,
  verifyRequest,
  type WebhookRouteView,
  type WebhookWorkspace,
} from "@tributary/core";
import type { InlineRuns } from "@tributary/runner";
import type { Redis } from "ioredis";
import { type CallCounts, createCallCounter } from "./call-counts.ts";
import { MalformedBodyError, parseBody } from "./parse-body.ts";
import { basicChallenge, problem, UNAUTHORIZED_MESSAGE } from "./responses.ts";
import { type AnswerWatch, answerResponse, storedAnswer, watchForAnswer } from "./run-answer.ts";
import { withSoapFraming } from "./soap-framing.ts";
import { isSensitiveHeader, parseWebhookUrl } from "./webhook-request.ts";

type WebhookAddress = NonNullable<ReturnType<typeof parseWebhookUrl>>;

import { createFairAdmission, type Turn } from "./fair-admission.ts";
import { createWorkspaceCache } from "./workspace-cache.ts";

export type WebhookHandlerDeps = {
  db: Db;
  /** With the installation's key prefix. */
  redis: Redis;
  queue: JobQueue;
  secretBox: SecretBox;
  intake: RunIntake;
  /** Runs webhooks' quick flows as their calls are taken in (packages/runner/src/run-inline.ts). */
  inline: InlineRuns;
  events: RunEventHub;
  /** How long a workspace's routes and rules are kept between loads; changes take effect within it. */
  cacheTtlMs?: number;
  /** Calls taken in at once before workspaces get shares of it (fair-admission.ts). */
  intakeCapacity?: number;
};

export type WebhookHandler = (request: Request, info: { clientIp: string }) => Promise<Response>;

const MAX_HEADER_BYTES = 64 * 1024;
// Calls being read, checked, run (quick flows) and committed at once while more than one workspace calls:
// enough to fill group commits, few enough that another workspace's call does not queue behind a flood's in
// the event loop (measured by the fairness benchmark: at 32, B's p95 was 4× its p95 alone; at 12, ≈ 2×, the
// flooding workspace keeping ≈ 80 % of its throughput). A workspace calling alone is not held to it.
const INTAKE_CAPACITY = 12;
const SUBSCRIBE_PATIENCE_MS = 1_000;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export function createWebhookHandler(deps: WebhookHandlerDeps): WebhookHandler {
  const workspaces = createWorkspaceCache({ db: deps.db, secretBox: deps.secretBox, ttlMs: deps.cacheTtlMs ?? 1_000 });
  const admission = createFairAdmission({ capacity: deps.intakeCapacity ?? INTAKE_CAPACITY });
  const countCall = createCallCounter(deps.redis);

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

    const turn = await admission.admit(workspace.workspaceId);
    if (!turn) {
      return problem(
        503,
        "busy",
        "Tributary is taking in more calls than it can right now and this workspace has had its share; nothing was accepted. Try again shortly.",
        { headers: { "retry-after": "1" } },
      );
    }
    const counts = await countCall({
      workspaceId: workspace.workspaceId,
      waits: route.responseMode !== "async" && !address.isTest,
    });
    try {
      return await takeIn({ request, clientIp, url, address, workspace, route, params, turn, counts });
    } finally {
      turn.release();
      counts.release();
    }
  };

  /** Reads, checks and commits the call, then answers: at once (202), or with its flow's answer. */
  async function takeIn({
    request,
    clientIp,
    url,
    address,
    workspace,
    route,
    params,
    turn,
    counts,
  }: {
    request: Request;
    clientIp: string;
    url: URL;
    address: WebhookAddress;
    workspace: WebhookWorkspace;
    route: WebhookRouteView;
    params: Record<string, string>;
    turn: Turn;
    counts: CallCounts;
  }): Promise<Response> {
    const sync = route.responseMode !== "async";
    if (counts.perMinute > workspace.limits.runsPerMinute) {
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
    if (counts.waiting > workspace.limits.concurrentRuns) {
      return problem(
        429,
        "too_many_waiting",
        `This workspace's plan allows ${workspace.limits.concurrentRuns} callers waiting at once; nothing was accepted.`,
        { headers: { "retry-after": "1" } },
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
      const failedBasic = rules.some(
        (r) => r.type === ("basic" satisfies RuleType) && verdict.failedRuleIds.includes(r.id),
      );
      return problem(401, "unauthorized", UNAUTHORIZED_MESSAGE, {
        // RFC 9110: a 401 names its scheme, so browsers and HTTP clients know to send Basic credentials.
        ...(failedBasic ? { headers: { "www-authenticate": basicChallenge(address) } } : {}),
      });
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
    const idempotency =
      keyHeader && IDEMPOTENCY_KEY.test(keyHeader)
        ? { key: keyHeader, bodyHash: createHash("sha256").update(raw).digest("hex") }
        : null;
    const message = createMessage({ id: crypto.randomUUID(), body, headers: messageHeaders });
    const timeoutMs = Math.min(route.timeoutSeconds, workspace.limits.runTimeoutSeconds) * 1000;

    // A quick flow runs here and now, stored whole before the answer (a sync caller's, or the 202 of an async
    // one); a flow limited to runs at once goes the usual way.
    if (!address.isTest && route.versionId && route.flowConcurrentRuns === null) {
      const runId = uuidv7();
      let answer: Awaited<ReturnType<InlineRuns["run"]>>;
      try {
        answer = await deps.inline.run({
          runId,
          workspaceId: workspace.workspaceId,
          flowId: route.flowId,
          versionId: route.versionId,
          triggerStepId: route.stepId,
          message,
          secretsVersion: workspace.secretsVersion,
          limits: workspace.limits,
          idempotency,
        });
      } catch {
        return storeUnavailable();
      }
      if (answer)
        return sync ? answerResponse({ answer, runId, messageId: message.id }) : accepted202(runId, message.id);
    }

    let watch: AnswerWatch | null = null;
    let accepted: AcceptedRun;
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
        const runId = uuidv7();
        if (sync) {
          // The caller waits for the flow's answer, which comes through Redis: without it, say so at once.
          if (deps.redis.status !== "ready") return redisUnavailable();
          // Subscribed before the run exists: its answer cannot come before anyone listens.
          watch = watchForAnswer({ events: deps.events, runId, timeoutMs });
          if (!(await withinMs(watch.ready, SUBSCRIBE_PATIENCE_MS))) {
            watch.stop();
            watch = null;
            return redisUnavailable();
          }
        }
        accepted = await deps.intake.accept({
          runId,
          workspaceId: workspace.workspaceId,
          flowId: route.flowId,
          versionId: route.versionId ?? "",
          triggerStepId: route.stepId,
          message,
          trigger: "webhook",
          idempotency,
        });
      }
    } catch (error) {
      watch?.stop();
      // A draft that cannot be tested, a message over the plan's size, an idempotency key reused with another
      // body… say so; anything else is the database.
      if (error instanceof AppError)
        return problem(HTTP_STATUS[error.code], error.code.toLowerCase(), error.message, { details: error.details });
      return storeUnavailable();
    }

    if (!sync) return accepted202(accepted.runId, accepted.messageId);
    // Waiting for the answer costs this process nothing: the turn goes to the next call.
    turn.release();
    try {
      if (watch && !accepted.duplicate) {
        const answer = await watch.answered;
        // An end without the answer in its event (a lost worker, a cancel): read it.
        return answerResponse({
          answer:
            answer === null
              ? await storedAnswer({ db: deps.db, workspaceId: workspace.workspaceId, runId: accepted.runId })
              : (answer ?? null),
          runId: accepted.runId,
          messageId: accepted.messageId,
        });
      }
      watch?.stop();
      // A test run, or a repeat of an earlier call: its run may have answered already.
      return answerResponse({
        answer: await answerOf({ deps, workspaceId: workspace.workspaceId, runId: accepted.runId, timeoutMs }),
        runId: accepted.runId,
        messageId: accepted.messageId,
      });
    } finally {
      watch?.stop();
    }
  }
  // SOAP webhooks: envelopes in and out and their WSDL on GET ?wsdl, around this same handler (soap-framing.ts).
  return withSoapFraming({ handle, workspaces, findRoute });
}

function accepted202(runId: string, messageId: string): Response {
  return Response.json({ runId, messageId }, { status: 202, headers: { "cache-control": "no-store" } });
}

function storeUnavailable(): Response {
  return problem(
    503,
    "unavailable",
    "Tributary cannot store the call right now; nothing was accepted. Try again shortly.",
    {
      headers: { "retry-after": "5" },
    },
  );
}

function redisUnavailable(): Response {
  return problem(
    503,
    "unavailable",
    "This webhook answers with its flow's result, which Tributary cannot wait for right now; nothing was accepted. Try again shortly.",
    { headers: { "retry-after": "5" } },
  );
}

/** Whether `promise` settles within `ms`. */
async function withinMs(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
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

/** Waits for the answer of a run that may have answered already: watch first, then look, then wait. */
async function answerOf({
  deps,
  workspaceId,
  runId,
  timeoutMs,
}: {
  deps: WebhookHandlerDeps;
  workspaceId: string;
  runId: string;
  timeoutMs: number;
}) {
  const watch = watchForAnswer({ events: deps.events, runId, timeoutMs });
  try {
    await watch.ready;
    const stored = await storedAnswer({ db: deps.db, workspaceId, runId });
    if (stored) return stored;
    const answer = await watch.answered;
    return answer === undefined ? null : (answer ?? (await storedAnswer({ db: deps.db, workspaceId, runId })));
  } finally {
    watch.stop();
  }
}
