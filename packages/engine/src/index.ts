// The engine is pure: flow graph in, plan out. No I/O, no database, no queue (docs/flow-format.md).
export { itemScope, loopDoneKey, scopeOf, shortHash } from "./activation-key.ts";
export {
  catalogOf,
  DEFAULT_OUTPUT,
  ERROR_OUTPUT,
  LOOP_DONE_OUTPUT,
  LOOP_ITEM_OUTPUT,
  outputsOf,
  type StepBehavior,
  type StepCatalog,
  type StepKind,
  type StepTypeSpec,
} from "./catalog.ts";
export {
  compileExpression,
  EXPRESSION_LIMITS,
  ExpressionError,
  type ExpressionScope,
  evaluateExpression,
  expressionErrors,
  findExpressions,
  renderTemplate,
} from "./expressions.ts";
export {
  CURRENT_FLOW_VERSION,
  emptyFlowGraph,
  type FlowEdge,
  FlowFormatError,
  type FlowGraph,
  type FlowStep,
  flowGraphSchema,
  parseFlowGraph,
  type RetryPolicy,
  retryPolicySchema,
  stepIdSchema,
} from "./flow-graph.ts";
export {
  nameReferences,
  type ReferenceDirectory,
  type ReferenceField,
  type ReferenceKind,
  resolveReferences,
  type UnresolvedReference,
} from "./flow-references.ts";
export { fieldLabel, fieldSentences, firstProblem, humanizeKey, issueSentence, titleAt } from "./issue-sentences.ts";
export {
  appendHeaders,
  createMessage,
  describeBody,
  headerMap,
  headerValue,
  type Message,
  type MessageHeader,
  STEP_HEADERS,
  traceHeaders,
  withBody,
} from "./message.ts";
export { type Activation, planRun, type RunPlan, type RunState, type StepError, type StepRecord } from "./plan-run.ts";
export { type PreparedFlow, type PreparedStep, prepareFlow } from "./prepare-flow.ts";
export { REDACTED, redactSecrets } from "./redact.ts";
export { recordsBefore } from "./rerun-from.ts";
export { RunRecords } from "./run-records.ts";
export { type StepOutputs, stepOutputs } from "./step-outputs.ts";
export { type ValidationCode, type ValidationError, validateFlow } from "./validate-flow.ts";
