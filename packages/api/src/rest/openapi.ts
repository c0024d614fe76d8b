// The OpenAPI 3.1 document of the REST API, made from the operations' own zod schemas.
import { z } from "zod";
import { OPERATIONS } from "./operations.ts";

export const REST_BASE = "/api/v1";

const errorSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" }, details: {} },
    },
  },
};

type JsonSchema = { properties?: Record<string, unknown>; required?: string[]; [key: string]: unknown };

const schemaOf = (schema: z.ZodType, io: "input" | "output"): JsonSchema => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
};

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

/** The error answers every operation can give, plus those that depend on its input. */
function errorResponses({ hasInput, hasPath, hasBody }: { hasInput: boolean; hasPath: boolean; hasBody: boolean }) {
  return {
    ...(hasInput ? { "400": { $ref: "#/components/responses/InvalidInput" } } : {}),
    "401": { $ref: "#/components/responses/Unauthorized" },
    "403": { $ref: "#/components/responses/Forbidden" },
    ...(hasPath ? { "404": { $ref: "#/components/responses/NotFound" } } : {}),
    ...(hasBody ? { "413": { $ref: "#/components/responses/TooLarge" } } : {}),
    "429": { $ref: "#/components/responses/RateLimited" },
    "503": { $ref: "#/components/responses/Unavailable" },
  };
}

/** Servers are given relative to the document (/api/v1/openapi.json), so it is right on any host. */
export function buildOpenApi() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS) {
    const input = schemaOf(operation.input, "input");
    const pathNames = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
    const queryNames = operation.query ?? [];
    const properties = input.properties ?? {};
    const required = new Set(input.required ?? []);
    const parameters = [
      ...pathNames.map((name) => ({
        name,
        in: "path",
        required: true,
        schema: properties[name] ?? { type: "string" },
      })),
      ...queryNames.map((name) => ({
        name,
        in: "query",
        required: required.has(name),
        schema: properties[name] ?? {},
      })),
    ];
    const bodyNames = Object.keys(properties).filter((name) => !pathNames.includes(name) && !queryNames.includes(name));
    const body =
      operation.method === "POST" || operation.method === "PUT"
        ? {
            type: "object",
            properties: Object.fromEntries(bodyNames.map((name) => [name, properties[name]])),
            required: bodyNames.filter((name) => required.has(name)),
          }
        : null;
    const success = operation.creates ? "201" : "200";
    paths[operation.path] ??= {};
    (paths[operation.path] as Record<string, unknown>)[operation.method.toLowerCase()] = {
      operationId: operation.id,
      summary: operation.summary,
      description: `Needs the permission \`${operation.action}\`.`,
      ...(parameters.length ? { parameters } : {}),
      ...(body && bodyNames.length
        ? { requestBody: { required: true, content: { "application/json": { schema: body } } } }
        : {}),
      responses: {
        [success]: {
          description: "Done",
          content: { "application/json": { schema: schemaOf(operation.output, "output") } },
        },
        ...errorResponses({
          hasInput: Boolean(body && bodyNames.length) || queryNames.length > 0,
          hasPath: pathNames.length > 0,
          hasBody: Boolean(body),
        }),
        default: errorResponse("Another error, such as 409 when a draft changed since it was read"),
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Tributary API",
      version: "1.0.0",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
      description:
        "Flows and runs of one workspace, with a workspace API key: `Authorization: Bearer trb_…`. Errors are `{ error: { code, message, details } }`; every answer carries X-RateLimit-Limit, -Remaining and -Reset.",
    },
    servers: [{ url: REST_BASE }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "A workspace API key (trb_…)" } },
      schemas: { Error: errorSchema },
      responses: {
        InvalidInput: errorResponse("The input is not valid: `details.fields` names each field and what is wrong"),
        Unauthorized: errorResponse("No key, or a wrong, revoked or expired one"),
        Forbidden: errorResponse("The key's role may not do this"),
        NotFound: errorResponse("Nothing with that id in this workspace"),
        RateLimited: errorResponse("Too many calls this minute with this key; see Retry-After"),
        TooLarge: errorResponse("The body is larger than 5 MiB; the connection is closed"),
        Unavailable: errorResponse(
          "Postgres or Redis cannot be reached right now; nothing was changed; see Retry-After",
        ),
      },
    },
    paths,
  };
}
