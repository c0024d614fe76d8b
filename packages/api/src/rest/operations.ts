// Every REST operation, in the order the OpenAPI document lists them.
import type { Operation } from "./operation.ts";
import { BUNDLE_OPERATIONS } from "./operations/bundle.ts";
import { FLOW_OPERATIONS } from "./operations/flows.ts";
import { RUN_OPERATIONS } from "./operations/runs.ts";
import { TOPIC_OPERATIONS } from "./operations/topics.ts";
import { WORKSPACE_OPERATIONS } from "./operations/workspace.ts";

export type { Operation } from "./operation.ts";

export const OPERATIONS: Operation[] = [
  ...FLOW_OPERATIONS,
  ...RUN_OPERATIONS,
  ...TOPIC_OPERATIONS,
  ...WORKSPACE_OPERATIONS,
  ...BUNDLE_OPERATIONS,
];
