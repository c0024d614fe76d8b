// The REST API (/api/v1) as one Web-standard handler: a bearer API key names the workspace and the role, the
// permission matrix decides, input is parsed by the operation's schema, and every answer is JSON — errors as
// { error: { code, message, details } }. Calls are counted per key and minute in Redis (rate-limit headers on
// every answer) and recorded in the workspace's audit log.
import {
  ACTIONS,
  AppError,
  apiKeyActor,
  authenticateApiKey,
  BodyTooLargeError,
  can,
  HTTP_STATUS,
  isServiceUnavailable,
  MAX_JSON_DEPTH,
  nestsDeeperThan,
  readBody,
  recordApiCall,
} from "@tributary/core";
import { ZodError } from "zod";
import type { ApiDeps } from "../trpc.ts";
import { buildOpenApi, REST_BASE } from "./openapi.ts";
import { OPERATIONS, type Operation } from "./operations.ts";

const CALLS_PER_MINUTE = 600;
/** A flow with its graph is the largest thing sent here; a few MiB leaves room for big ones. */
export const MAX_REST_BODY_BYTES = 5 * 1024 * 1024;
const RETRY_AFTER_SECONDS = 5;

type Route = { operation: Operation; pattern: RegExp; params: string[] };

const ROUTES: Route[] = OPERATIONS.map((operation) => {
  const params: string[] = [];
  const source = operation.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    params.push(name);
    return "([^/]+)";
  });
  return { operation, pattern: new RegExp(`^${source}$`), params };
});

function problem(status: number, code: string, message: string, details?: unknown, headers: HeadersInit = {}) {
  return Response.json(
    { error: { code, message, ...(details === undefined ? {} : { details }) } },
    { status, headers },
  );
}

const INTERNAL_ERROR =
  "Something failed on our side. Try again, and if it keeps failing, tell the installation's operator (the web process logs the cause).";

export function createRestHandler(
  deps: ApiDeps & {
    clientIp: (request: Request) => string;
    /** Hears of failures no AppError describes (they answer 500 with a JSON body), for the process's log. */
    onUnexpectedError?: (error: unknown, where: string) => void;
  },
) {
  const openApi = buildOpenApi();

  // Whatever fails unforeseen still answers JSON: Postgres or Redis out of reach is a 503 to retry; anything
  // else (a bug) a 500, and the process hears of it.
  return async function handle(request: Request): Promise<Response> {
    try {
      return await route(request);
    } catch (error) {
      if (isServiceUnavailable(error)) {
        return problem(
          503,
          "unavailable",
          "Tributary cannot reach its database or Redis right now; nothing was changed. Try again shortly.",
          undefined,
          { "retry-after": String(RETRY_AFTER_SECONDS) },
        );
      }
      deps.onUnexpectedError?.(error, `${request.method} ${new URL(request.url).pathname}`);
      return problem(500, "internal_error", INTERNAL_ERROR);
    }
  };

  async function route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.slice(REST_BASE.length) || "/";
    if (request.method === "GET" && path === "/openapi.json") return Response.json(openApi);

    const candidates = ROUTES.map((route) => ({ route, match: route.pattern.exec(path) })).filter((c) => c.match);
    if (!candidates.length)
      return problem(404, "not_found", `There is no ${path} in the API; see ${REST_BASE}/openapi.json.`);
    const found = candidates.find((c) => c.route.operation.method === request.method);
    if (!found?.match) {
      const allowed = candidates.map((c) => c.route.operation.method).join(", ");
      return problem(405, "method_not_allowed", `${path} accepts ${allowed}.`, undefined, { allow: allowed });
    }
    const { operation, params } = found.route;

    let principal: Awaited<ReturnType<typeof authenticateApiKey>>;
    try {
      principal = await authenticateApiKey({
        db: deps.db,
        token: (request.headers.get("authorization") ?? "").replace(/^Bearer\s+/i, ""),
      });
    } catch (error) {
      if (error instanceof AppError) return problem(401, "unauthorized", error.message);
      throw error;
    }

    const ip = deps.clientIp(request);
    const minute = Math.floor(Date.now() / 60_000);
    const used = await deps.redis
      .multi()
      .incr(`api:calls:${principal.workspaceId}:${principal.keyId}:${minute}`)
      .expire(`api:calls:${principal.workspaceId}:${principal.keyId}:${minute}`, 120)
      .exec()
      .then(
        (replies) => Number(replies?.[0]?.[1] ?? 0),
        () => 0, // Redis down: let the call through.
      );
    const reset = (minute + 1) * 60;
    const limits = {
      "x-ratelimit-limit": String(CALLS_PER_MINUTE),
      "x-ratelimit-remaining": String(Math.max(0, CALLS_PER_MINUTE - used)),
      "x-ratelimit-reset": String(reset),
    };
    const answer = async (response: Response) => {
      for (const [name, value] of Object.entries(limits)) response.headers.set(name, value);
      await recordApiCall({
        db: deps.db,
        principal,
        ip,
        method: request.method,
        path,
        status: response.status,
      }).catch(() => undefined);
      return response;
    };
    if (used > CALLS_PER_MINUTE) {
      return answer(
        problem(
          429,
          "rate_limited",
          `This key made ${CALLS_PER_MINUTE} calls this minute; wait for the next.`,
          undefined,
          {
            "retry-after": String(Math.max(1, reset - Math.floor(Date.now() / 1000))),
          },
        ),
      );
    }
    if (!can(principal.role, operation.action)) {
      return answer(
        problem(
          403,
          "forbidden",
          `This key's role (${principal.role}) lacks the permission ${operation.action}: ${ACTIONS[operation.action]}.`,
        ),
      );
    }

    try {
      let raw: Record<string, unknown> = {};
      if (request.method === "POST" || request.method === "PUT") {
        const body = await readJsonBody(request);
        if (body instanceof Response) return answer(body);
        // Spread, not assigned: a "__proto__" key stays a plain field.
        raw = { ...body };
      }
      for (const name of operation.query ?? []) {
        const value = url.searchParams.get(name);
        if (value !== null) raw[name] = value;
      }
      for (const [index, name] of params.entries()) {
        const segment = found.match?.[index + 1] ?? "";
        try {
          raw[name] = decodeURIComponent(segment);
        } catch {
          return answer(problem(400, "invalid_input", `"${segment}" in the path is not valid percent-encoding.`));
        }
      }
      const input = operation.input.parse(raw);
      const actor = apiKeyActor(principal, ip);
      const result = await operation.run(
        {
          db: deps.db,
          redis: deps.redis,
          queue: deps.queue,
          secretBox: deps.secretBox,
          workspaceId: principal.workspaceId,
          key: principal,
          actor,
          operatorAllowedHosts: deps.operatorAllowedHosts ?? [],
        },
        input as never,
      );
      return answer(
        Response.json(result ?? {}, {
          status: operation.creates ? 201 : 200,
        }),
      );
    } catch (error) {
      if (error instanceof ZodError) {
        return answer(
          problem(400, "invalid_input", "Some fields are not valid.", {
            fields: error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
          }),
        );
      }
      if (error instanceof AppError) {
        return answer(problem(HTTP_STATUS[error.code], error.code.toLowerCase(), error.message, error.details));
      }
      throw error;
    }
  }
}

/** The JSON object a POST or PUT carries (an empty body is `{}`), or the 4xx that says why it cannot be read. */
async function readJsonBody(request: Request): Promise<Record<string, unknown> | Response> {
  let text: string;
  try {
    text = new TextDecoder().decode(await readBody({ request, maxBytes: MAX_REST_BODY_BYTES }));
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      return problem(
        413,
        "payload_too_large",
        `The body is larger than the API accepts (${MAX_REST_BODY_BYTES} bytes).`,
      );
    return problem(400, "bad_request", "The request body could not be read.");
  }
  if (!text.trim()) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return problem(400, "malformed_body", "The body is not valid JSON.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return problem(400, "malformed_body", "The body must be a JSON object.");
  if (nestsDeeperThan(body, MAX_JSON_DEPTH))
    return problem(
      400,
      "malformed_body",
      `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels, the most accepted.`,
    );
  return body as Record<string, unknown>;
}
