// One REST operation, declared once: method and path, the permission it needs, the zod schema of its input
// (path, query and body together) and of its answer, and the core function it calls. The handler and the
// OpenAPI document are both made from these declarations, so the contract cannot drift from the code.
import type { Action, Actor, ApiKeyPrincipal, Db, JobQueue, SecretBox } from "@tributary/core";
import type { Redis } from "ioredis";
import { z } from "zod";

export type OperationContext = {
  db: Db;
  redis: Redis;
  queue: JobQueue;
  secretBox: SecretBox;
  workspaceId: string;
  /** The API key making the call. */
  key: ApiKeyPrincipal;
  actor: Actor;
  /** OUTBOUND_ALLOWED_HOSTS: hosts every workspace may reach, beside its own allowed hosts. */
  operatorAllowedHosts: readonly string[];
};

export type Operation = {
  id: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** OpenAPI style: /flows/{flowId} */
  path: string;
  summary: string;
  action: Action;
  /** Path parameters and query parameters are named here; everything else in `input` is the JSON body. */
  query?: readonly string[];
  input: z.ZodObject;
  output: z.ZodType;
  /** 201 for operations that create something. */
  creates?: boolean;
  run: (context: OperationContext, input: never) => Promise<unknown>;
};

export function operation<I extends z.ZodObject, O extends z.ZodType>(
  definition: Omit<Operation, "input" | "output" | "run"> & {
    input: I;
    output: O;
    /** Answers are checked against `output` by the contract test, after JSON encoding (dates become strings). */
    run: (context: OperationContext, input: z.output<I>) => Promise<unknown>;
  },
): Operation {
  return definition as unknown as Operation;
}

export const date = z.iso.datetime();
export const nothing = z.object({});
export const graph = z.looseObject({
  version: z.number(),
  steps: z.array(z.looseObject({})),
  edges: z.array(z.looseObject({})),
});
