"use client";
// CodeMirror 6 with TypeScript highlighting, bundled with the app (nothing loads from the internet).
import { javascript } from "@codemirror/lang-javascript";
import { type Diagnostic, lintGutter, setDiagnostics } from "@codemirror/lint";
import { EditorState, type Text } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { basicSetup } from "codemirror";
import { useEffect, useRef } from "react";

/** A problem the server found in the code (compile or type error), 1-based as editors count. */
export type CodeDiagnostic = { line: number; column: number; endLine: number; endColumn: number; message: string };

function offset(doc: Text, line: number, column: number): number {
  const at = doc.line(Math.min(Math.max(line, 1), doc.lines));
  return Math.min(at.from + Math.max(column - 1, 0), at.to);
}

function toDiagnostics(doc: Text, problems: CodeDiagnostic[]): Diagnostic[] {
  return problems.map((problem) => {
    const from = offset(doc, problem.line, problem.column);
    const to = Math.max(offset(doc, problem.endLine, problem.endColumn), from);
    return { from, to, severity: "error", message: problem.message };
  });
}

export function CodeEditor({
  id,
  value,
  onChange,
  readOnly,
  diagnostics,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  readOnly: boolean;
  /** Underlined in the code, with the message on hover and in the gutter. */
  diagnostics: CodeDiagnostic[];
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef(onChange);
  latest.current = onChange;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the editor is created once; value changes flow in below
  useEffect(() => {
    if (!host.current) return;
    view.current = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          javascript({ typescript: true }),
          lintGutter(),
          EditorState.readOnly.of(readOnly),
          EditorView.contentAttributes.of({ "aria-labelledby": `${id}-label`, id: `${id}-code` }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) latest.current(update.state.doc.toString());
          }),
        ],
      }),
    });
    return () => view.current?.destroy();
  }, [readOnly]);

  // Undo on the canvas replaces the value: show it.
  useEffect(() => {
    const current = view.current;
    if (current && current.state.doc.toString() !== value) {
      current.dispatch({ changes: { from: 0, to: current.state.doc.length, insert: value } });
    }
  }, [value]);

  // Problems come from the last validation of the draft: shown until the next one replaces them. Compared by
  // content, since the panel hands a new array on every render.
  const shown = JSON.stringify(diagnostics);
  // biome-ignore lint/correctness/useExhaustiveDependencies: readOnly recreates the editor, which needs them again
  useEffect(() => {
    const current = view.current;
    if (!current) return;
    const problems = JSON.parse(shown) as CodeDiagnostic[];
    current.dispatch(setDiagnostics(current.state, toDiagnostics(current.state.doc, problems)));
  }, [shown, readOnly]);

  return (
    <div id={id} ref={host} className="mt-1 max-h-96 overflow-auto rounded-md border border-slate-300 text-[13px]" />
  );
}
