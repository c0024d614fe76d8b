// Code steps are compiled once, at publish: TypeScript to a script whose value is a function that builds
// the step's module (esbuild), so none of the step's code runs until the sandbox calls it inside its guards.
// A source map comes along so errors point at the author's own lines. Imports are refused: a code step
// gets the message and ctx, and returns JSON. Types are checked apart, by type-check-code-step.ts.
import { type BuildOptions, build, type Message as EsbuildMessage, type Plugin } from "esbuild";
import { CODE_STEP_FILENAME } from "./protocol.ts";

export { CODE_STEP_FILENAME };

export type CompiledCodeStep = { code: string; sourceMap: string };

/** `line` and `column` are 1-based, the column in UTF-16 code units (as editors count). */
export type CompileProblem = { line: number; column: number; message: string };

export type CompileResult = ({ ok: true } & CompiledCodeStep) | { ok: false; errors: CompileProblem[] };

const MAX_SOURCE_BYTES = 256 * 1024;
const MODULE_NAME = "__step";

const refuseImports: Plugin = {
  name: "refuse-imports",
  setup(builder) {
    builder.onResolve({ filter: /.*/ }, (args) =>
      args.kind === "entry-point"
        ? undefined
        : {
            errors: [
              {
                text: `Code steps cannot import modules ("${args.path}"): they get the message and ctx, and return JSON.`,
              },
            ],
          },
    );
  },
};

const common = (source: string): BuildOptions => ({
  stdin: { contents: source, loader: "ts", sourcefile: CODE_STEP_FILENAME },
  bundle: true,
  write: false,
  platform: "neutral",
  target: "es2023",
  logLevel: "silent",
  // Keep every import, even one only used as a type, so an unused `import fs from "fs"` is refused too.
  tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
  plugins: [refuseImports],
});

export async function compileCodeStep({ source }: { source: string }): Promise<CompileResult> {
  if (Buffer.byteLength(source) > MAX_SOURCE_BYTES) {
    return {
      ok: false,
      errors: [{ line: 1, column: 1, message: `Code steps are limited to ${MAX_SOURCE_BYTES / 1024} KB of source.` }],
    };
  }
  try {
    // First as a module, to learn its exports; then as the script the sandbox runs.
    const checked = await build({ ...common(source), format: "esm", metafile: true, outfile: "check.js" });
    const exports = Object.values(checked.metafile?.outputs ?? {})[0]?.exports ?? [];
    if (!exports.includes("default")) {
      return {
        ok: false,
        errors: [
          {
            line: 1,
            column: 1,
            message: "Export a default function: export default async function (message, ctx) { … }",
          },
        ],
      };
    }
    const result = await build({
      ...common(source),
      format: "iife",
      globalName: MODULE_NAME,
      // Strict, as a module is, and wrapped so that running the script only defines the factory.
      banner: { js: '(function () { "use strict";' },
      footer: { js: `return ${MODULE_NAME};\n})` },
      sourcemap: "external",
      sourcesContent: false,
      outfile: "code-step.js",
    });
    const files = result.outputFiles ?? [];
    const code = files.find((file) => file.path.endsWith(".js"))?.text ?? "";
    const sourceMap = files.find((file) => file.path.endsWith(".map"))?.text ?? "";
    return { ok: true, code, sourceMap };
  } catch (error) {
    const failure = error as { errors?: EsbuildMessage[] };
    if (failure.errors?.length) return { ok: false, errors: failure.errors.map(toProblem) };
    throw error;
  }
}

// esbuild counts columns in UTF-8 bytes from 0; editors count UTF-16 code units from 1.
function toProblem(message: EsbuildMessage): CompileProblem {
  const location = message.location;
  if (!location) return { line: 1, column: 1, message: message.text };
  const before = Buffer.from(location.lineText).subarray(0, location.column).toString("utf8");
  return { line: location.line, column: before.length + 1, message: message.text };
}
