// Sandboxed TypeScript code steps: compiled once at publish, run in isolated-vm inside separate processes.
export {
  CODE_STEP_FILENAME,
  type CompiledCodeStep,
  type CompileProblem,
  type CompileResult,
  compileCodeStep,
} from "./compile-code-step.ts";
export { createSandbox, type RunCodeStepOptions, type Sandbox, type SandboxOptions } from "./create-sandbox.ts";
export { type CodeLimits, DEFAULT_CODE_LIMITS } from "./limits.ts";
export type { CodeStepContext, CodeStepMessage, CodeStepResult, LogLine, SandboxErrorCode } from "./protocol.ts";
