// Type-checks a code step's TypeScript against what the sandbox really gives it: the ES2023 library (no DOM, no
// Node), `console`, and the types of the message and ctx (`Message`, `StepContext`, `CodeStep`, global in the
// step). One LanguageService over an in-memory host is kept for the process: the library's source files are
// parsed once, and checks of a source already seen are answered from a small cache, since the builder validates
// on every edit of the draft while the code itself rarely changed.
import ts from "typescript";
import type { CompileProblem } from "./compile-code-step.ts";
import { CODE_STEP_FILENAME } from "./protocol.ts";

/** A type error, 1-based; the end is where the editor stops underlining. */
export type TypeProblem = CompileProblem & { endLine: number; endColumn: number };

const GLOBALS_FILENAME = "code-step-globals.d.ts";

/** The step's globals, matching packages/sandbox/src/protocol.ts and isolate-runtime.ts. */
export const CODE_STEP_GLOBALS = `
type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type Header = { name: string; value: string };
/** The message a code step gets: a copy, change it freely. */
type Message<Body = any> = { id: string; headers: Header[]; body: Body };
/** What ctx.message() makes: a new body, and headers to append. */
type StepMessage = { readonly body: unknown; readonly headers: Header[] | undefined };
type StepContext = {
  readonly run: {
    readonly id: string;
    readonly flowId: string;
    readonly workspaceId: string;
    readonly stepId: string;
    readonly attempt: number;
    readonly isTest: boolean;
  };
  /** The secrets chosen in the step's "Secrets the code may read", by name. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly log: StepConsole;
  message(message: { body?: unknown; headers?: Header[] }): StepMessage;
};
type CodeStep<Body = any> = (message: Message<Body>, ctx: StepContext) => unknown;
type StepConsole = {
  log(...values: unknown[]): void;
  info(...values: unknown[]): void;
  warn(...values: unknown[]): void;
  error(...values: unknown[]): void;
  debug(...values: unknown[]): void;
};
declare const console: StepConsole;
`;

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2023.d.ts"],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  // `export default async function (message, ctx)` is how most steps start; its parameters stay `any` unless
  // typed (`message: Message`, `ctx: StepContext`), as in plain TypeScript without a contextual type.
  noImplicitAny: false,
  noEmit: true,
  isolatedModules: true,
  verbatimModuleSyntax: true,
  types: [],
  noLib: false,
};

const libFolder = ts.getDefaultLibFilePath(OPTIONS).replace(/[^/\\]+$/, "");
const libSources = new Map<string, string | undefined>();
const readLib = (fileName: string): string | undefined => {
  if (!libSources.has(fileName)) libSources.set(fileName, ts.sys.readFile(fileName));
  return libSources.get(fileName);
};

let current = { source: "", version: 0 };
let service: ts.LanguageService | undefined;

function languageService(): ts.LanguageService {
  if (service) return service;
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => OPTIONS,
    getScriptFileNames: () => [GLOBALS_FILENAME, CODE_STEP_FILENAME],
    getScriptVersion: (fileName) => (fileName === CODE_STEP_FILENAME ? String(current.version) : "0"),
    getScriptSnapshot: (fileName) => {
      const text = readFile(fileName);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => "/",
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: (fileName) => readFile(fileName) !== undefined,
    readFile,
  };
  service = ts.createLanguageService(host, ts.createDocumentRegistry());
  return service;
}

function readFile(fileName: string): string | undefined {
  const name = fileName.replace(/^\//, "");
  if (name === CODE_STEP_FILENAME) return current.source;
  if (name === GLOBALS_FILENAME) return CODE_STEP_GLOBALS;
  return fileName.startsWith(libFolder) ? readLib(fileName) : undefined;
}

const CACHE_SIZE = 200;
const cache = new Map<string, TypeProblem[]>();

/**
 * The type errors of a code step (syntax errors included), at most 20, in the step's own lines. Imports are
 * reported by the compiler (compileCodeStep refuses them with a clearer word), so they are left out here.
 */
export function typeCheckCodeStep({ source }: { source: string }): TypeProblem[] {
  const cached = cache.get(source);
  if (cached) {
    cache.delete(source);
    cache.set(source, cached);
    return cached;
  }
  current = { source, version: current.version + 1 };
  const checker = languageService();
  const diagnostics = [
    ...checker.getSyntacticDiagnostics(CODE_STEP_FILENAME),
    ...checker.getSemanticDiagnostics(CODE_STEP_FILENAME),
  ];
  const problems = diagnostics
    .filter((diagnostic) => diagnostic.code !== CANNOT_FIND_MODULE)
    .slice(0, 20)
    .map(toProblem);
  cache.set(source, problems);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return problems;
}

const CANNOT_FIND_MODULE = 2307;

// TypeScript suggests installing @types/node for these; in a code step they simply do not exist.
const MISSING_NAME = /^Cannot find name '([^']+)'/;
const HOST_ONLY =
  /^(process|require|Buffer|module|__dirname|__filename|fetch|setTimeout|setInterval|setImmediate|queueMicrotask)$/;

function explain(message: string): string {
  const name = MISSING_NAME.exec(message)?.[1];
  if (!name || !HOST_ONLY.test(name)) return message;
  return `Cannot find name '${name}': code steps have no Node APIs, network or timers. Call outside systems with a connector step, wait with a Delay step.`;
}

function toProblem(diagnostic: ts.Diagnostic): TypeProblem {
  const message = explain(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
  const file = diagnostic.file;
  if (!file || diagnostic.start === undefined) return { line: 1, column: 1, endLine: 1, endColumn: 1, message };
  const start = file.getLineAndCharacterOfPosition(diagnostic.start);
  const end = file.getLineAndCharacterOfPosition(diagnostic.start + (diagnostic.length ?? 0));
  return {
    line: start.line + 1,
    column: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
    message,
  };
}
