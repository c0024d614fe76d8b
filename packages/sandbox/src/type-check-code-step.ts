// Type-checks a code step's TypeScript against what the sandbox really gives it: the ES2023 library (no DOM, no
// Node), `console`, and the types of the message and ctx (`Message`, `StepContext`, `CodeStep`, global in the
// step). One LanguageService over an in-memory host is kept for the process: the library's source files are
// parsed once, and checks of a source already seen are answered from a small cache, since the builder validates
// on every edit of the draft while the code itself rarely changed. The compiler loads on the first check (it
// takes a second or two and ~90 MB): processes that import core but never check code (the worker) never pay.
import type * as TypeScript from "typescript";
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

type Ts = typeof TypeScript;

function compilerOptions(ts: Ts): TypeScript.CompilerOptions {
  return {
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
  };
}

type Checker = { ts: Ts; service: TypeScript.LanguageService; current: { source: string; version: number } };

let checker: Promise<Checker> | undefined;

/** One LanguageService for the process, over the step's source, its globals and the library files (read once). */
function loadChecker(): Promise<Checker> {
  checker ??= import("typescript").then((module) => {
    const ts = ((module as { default?: Ts }).default ?? module) as Ts;
    const options = compilerOptions(ts);
    const libFolder = ts.getDefaultLibFilePath(options).replace(/[^/\\]+$/, "");
    const libSources = new Map<string, string | undefined>();
    const current = { source: "", version: 0 };
    const readFile = (fileName: string): string | undefined => {
      const name = fileName.replace(/^\//, "");
      if (name === CODE_STEP_FILENAME) return current.source;
      if (name === GLOBALS_FILENAME) return CODE_STEP_GLOBALS;
      if (!fileName.startsWith(libFolder)) return undefined;
      if (!libSources.has(fileName)) libSources.set(fileName, ts.sys.readFile(fileName));
      return libSources.get(fileName);
    };
    const host: TypeScript.LanguageServiceHost = {
      getCompilationSettings: () => options,
      getScriptFileNames: () => [GLOBALS_FILENAME, CODE_STEP_FILENAME],
      getScriptVersion: (fileName) => (fileName === CODE_STEP_FILENAME ? String(current.version) : "0"),
      getScriptSnapshot: (fileName) => {
        const text = readFile(fileName);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => "/",
      getDefaultLibFileName: (settings) => ts.getDefaultLibFilePath(settings),
      fileExists: (fileName) => readFile(fileName) !== undefined,
      readFile,
    };
    return { ts, service: ts.createLanguageService(host, ts.createDocumentRegistry()), current };
  });
  return checker;
}

const CACHE_SIZE = 200;
const cache = new Map<string, TypeProblem[]>();

/**
 * The type errors of a code step (syntax errors included), at most 20, in the step's own lines. Imports are
 * reported by the compiler (compileCodeStep refuses them with a clearer word), so they are left out here.
 */
export async function typeCheckCodeStep({ source }: { source: string }): Promise<TypeProblem[]> {
  const cached = cache.get(source);
  if (cached) {
    cache.delete(source);
    cache.set(source, cached);
    return cached;
  }
  const { ts, service, current } = await loadChecker();
  // No await from here on: the service reads `current` while it checks, and nothing else may change it.
  current.source = source;
  current.version += 1;
  const diagnostics = [
    ...service.getSyntacticDiagnostics(CODE_STEP_FILENAME),
    ...service.getSemanticDiagnostics(CODE_STEP_FILENAME),
  ];
  const problems = diagnostics
    .filter((diagnostic) => diagnostic.code !== CANNOT_FIND_MODULE)
    .slice(0, 20)
    .map((diagnostic) => toProblem(ts, diagnostic));
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

function toProblem(ts: Ts, diagnostic: TypeScript.Diagnostic): TypeProblem {
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
