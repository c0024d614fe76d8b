// Setup file of the integration and e2e projects: after each test file, the processes its helpers started
// and did not stop (a test that failed before its `finally`, a start-up abandoned by a timeout) are killed.
import { afterAll } from "vitest";
import { killLeftoverChildren } from "./child-registry.ts";

afterAll(async () => {
  const killed = await killLeftoverChildren();
  if (killed > 0) console.warn(`Killed ${killed} process(es) a test left running.`);
});
