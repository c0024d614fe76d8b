// What the benchmarks share with the app, imported the same way the app does.
import { createDb, createJobQueue, createQueueConnection } from "@tributary/core";
import { createMessage, evaluateExpression } from "@tributary/engine";

export { createDb, createJobQueue, createQueueConnection };

/** Evaluates a JSONata expression over a body, as a step would. */
export function evaluateExpressionFor(source: string, body: unknown): Promise<unknown> {
  return evaluateExpression({ source, scope: { message: createMessage({ id: "m", body }) } });
}
