// For unit tests of steps that need no outside system: run a step as the worker would after rendering its
// config (defaults applied, the message given), and read the failure a user would see.
import { createMessage } from "@tributary/engine";
import { expect } from "vitest";
import { type ActionContext, type ActionDefinition, StepFailure } from "../define.ts";

export async function runStep(step: ActionDefinition, config: Record<string, unknown>, body: unknown) {
  const message = createMessage({ id: "msg-1", body });
  const result = await step.run({ config: step.config.parse(config), message } as unknown as ActionContext<unknown>);
  return (result as { body?: unknown }).body;
}

/** The message of the StepFailure the promise is rejected with (and the test fails if it is not). */
export async function stepFailure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(StepFailure);
  return (error as StepFailure).message;
}
