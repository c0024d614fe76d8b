// Every REST operation, in the order the OpenAPI document lists them.
import type { Operation } from "./operation.ts";
import { ALERT_OPERATIONS } from "./operations/alerts.ts";
import { BUNDLE_OPERATIONS } from "./operations/bundle.ts";
import { DEAD_LETTER_OPERATIONS } from "./operations/dead-letters.ts";
import { FLOW_OPERATIONS } from "./operations/flows.ts";
import { RUN_OPERATIONS } from "./operations/runs.ts";
import { TOPIC_OPERATIONS } from "./operations/topics.ts";
import { WORKSPACE_OPERATIONS } from "./operations/workspace.ts";

export type { Operation } from "./operation.ts";

export const OPERATIONS: Operation[] = [
  ...FLOW_OPERATIONS,
  ...DEAD_LETTER_OPERATIONS,
  ...RUN_OPERATIONS,
  ...TOPIC_OPERATIONS,
  ...ALERT_OPERATIONS,
  ...WORKSPACE_OPERATIONS,
  ...BUNDLE_OPERATIONS,
];
