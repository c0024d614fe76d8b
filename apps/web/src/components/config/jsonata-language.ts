// JSONata for CodeMirror 6: a small stream tokenizer for highlighting, completions of the input's fields,
// bindings and built-in functions, and syntax errors underlined by JSONata's own parser.
import {
  type Completion,
  type CompletionContext,
  type CompletionResult,
  snippetCompletion,
} from "@codemirror/autocomplete";
import { StreamLanguage, type StringStream } from "@codemirror/language";
import type { Diagnostic } from "@codemirror/lint";
import type { EditorView } from "@codemirror/view";
import jsonata from "jsonata";
import type { ExpressionHints } from "./expression-hints.ts";
import { childPath, fieldPaths, typeOf } from "./json-paths.ts";
import { EXPRESSION_BINDINGS, JSONATA_FUNCTIONS } from "./jsonata-functions.ts";

type State = { inComment: boolean };

const KEYWORDS = new Set(["and", "or", "in", "function"]);
const ATOMS = new Set(["true", "false", "null"]);

export const jsonataLanguage = StreamLanguage.define<State>({
  name: "jsonata",
  startState: () => ({ inComment: false }),
  token(stream: StringStream, state: State) {
    if (state.inComment) {
      if (stream.skipTo("*/")) {
        stream.next();
        stream.next();
        state.inComment = false;
      } else stream.skipToEnd();
      return "comment";
    }
    if (stream.eatSpace()) return null;
    if (stream.match("/*")) {
      state.inComment = true;
      return "comment";
    }
    const quote = stream.peek();
    if (quote === '"' || quote === "'") {
      stream.next();
      let escaped = false;
      for (let ch = stream.next(); ch !== undefined; ch = stream.next()) {
        if (ch === quote && !escaped) break;
        escaped = !escaped && ch === "\\";
      }
      return "string";
    }
    if (quote === "`") {
      stream.next();
      stream.skipTo("`");
      stream.next();
      return "propertyName";
    }
    if (stream.match(/^-?\d+(\.\d+)?([eE][+-]?\d+)?/)) return "number";
    if (stream.match(/^\$[A-Za-z0-9_]*/)) return stream.peek() === "(" ? "function(variableName)" : "variableName";
    const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray | null;
    if (word) {
      if (KEYWORDS.has(word[0])) return "keyword";
      if (ATOMS.has(word[0])) return "atom";
      return "propertyName";
    }
    if (stream.match(/^(:=|!=|<=|>=|~>|\.\.|\?:|\?\?|[-+*/%&=<>!?:.,;^#@|])/)) return "operator";
    stream.next();
    return "bracket";
  },
  languageData: { commentTokens: { block: { open: "/*", close: "*/" } } },
});

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? typeOf(value) : text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** Completions for a field path, a binding (`$steps.x.body.y`, `$secrets.NAME`, `$headers.name`) or a function. */
export function jsonataCompletions(hints: () => ExpressionHints) {
  return (context: CompletionContext): CompletionResult | null => {
    const before = context.matchBefore(/\$?[A-Za-z0-9_`.]*/);
    if (!before || (before.from === before.to && !context.explicit)) return null;
    const { input, headers, steps, secrets } = hints();
    const text = before.text;
    const options: Completion[] = [];
    if (text.startsWith("$steps.")) {
      for (const [id, output] of Object.entries(steps)) {
        const base = `$steps.${childPath("", id)}`;
        options.push({ label: `${base}.body`, type: "variable", detail: "output body" });
        options.push({ label: `${base}.headers`, type: "variable", detail: "output headers" });
        for (const field of fieldPaths(output, { prefix: `${base}.body` })) {
          options.push({ label: field.path, type: "property", detail: describe(field.example) });
        }
      }
    } else if (text.startsWith("$secrets.")) {
      for (const name of secrets)
        options.push({ label: `$secrets.${childPath("", name)}`, type: "constant", detail: "secret" });
    } else if (text.startsWith("$headers.")) {
      for (const name of headers)
        options.push({ label: `$headers.${childPath("", name)}`, type: "constant", detail: "header" });
    } else if (text.startsWith("$")) {
      for (const binding of EXPRESSION_BINDINGS)
        options.push({ label: binding.name, type: "variable", info: binding.info });
      for (const f of JSONATA_FUNCTIONS) {
        options.push(
          snippetCompletion(`$${f.name}(\${})`, {
            label: `$${f.name}`,
            type: "function",
            detail: f.signature,
            info: f.info,
          }),
        );
      }
    } else {
      for (const field of fieldPaths(input)) {
        options.push({ label: field.path, type: "property", detail: describe(field.example), boost: 1 });
      }
    }
    return { from: before.from, options, validFor: /^\$?[A-Za-z0-9_`.]*$/ };
  };
}

/** JSONata's parse error under the text it points at (or the whole expression when it names no position). */
export function jsonataDiagnostics(view: EditorView): Diagnostic[] {
  const source = view.state.doc.toString();
  if (!source.trim()) return [];
  try {
    jsonata(source);
    return [];
  } catch (error) {
    const { message, position, token } = error as { message?: string; position?: number; token?: string };
    const length = view.state.doc.length;
    let to = typeof position === "number" ? Math.min(position, length) : length;
    // At the end of the expression JSONata names the token "(end)": underline what comes last instead.
    const width = token && token !== "(end)" ? String(token).length : 1;
    if (token === "(end)") to = source.trimEnd().length;
    let from = Math.max(0, to - width);
    if (from === to) {
      from = Math.max(0, to - 1);
      to = Math.max(to, Math.min(length, from + 1));
    }
    return [{ from, to, severity: "error", message: message ?? String(error), source: "JSONata" }];
  }
}
