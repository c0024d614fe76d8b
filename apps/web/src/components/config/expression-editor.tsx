"use client";
// The editor of JSONata expression fields: CodeMirror 6 with JSONata highlighting, completions of the input's
// fields, `$steps`, `$secrets`, `$headers` and the built-in functions, syntax errors underlined as you type,
// and a dragged input field dropped in as its path.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { linter, lintGutter } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, placeholder } from "@codemirror/view";
import { useContext, useEffect, useRef } from "react";
import { ExpressionHintsContext } from "./expression-hints.ts";
import { REFERENCE_TYPE } from "./json-paths.ts";
import { jsonataCompletions, jsonataDiagnostics, jsonataLanguage } from "./jsonata-language.ts";

export function ExpressionEditor({
  id,
  value,
  onChange,
  readOnly,
  describedBy,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  readOnly: boolean;
  describedBy?: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef(onChange);
  latest.current = onChange;
  const hints = useContext(ExpressionHintsContext);
  const latestHints = useRef(hints);
  latestHints.current = hints;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the editor is created once; value changes flow in below
  useEffect(() => {
    if (!host.current) return;
    view.current = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          history(),
          closeBrackets(),
          bracketMatching(),
          jsonataLanguage,
          syntaxHighlighting(defaultHighlightStyle),
          autocompletion({ override: [jsonataCompletions(() => latestHints.current)], activateOnTyping: true }),
          linter(jsonataDiagnostics, { delay: 300 }),
          lintGutter(),
          keymap.of([...closeBracketsKeymap, ...completionKeymap, ...historyKeymap, ...defaultKeymap]),
          placeholder("e.g. customer.name or $sum(items.price)"),
          EditorView.lineWrapping,
          EditorState.readOnly.of(readOnly),
          EditorView.editable.of(!readOnly),
          EditorView.contentAttributes.of({
            "aria-labelledby": `${id}-label`,
            "aria-multiline": "true",
            role: "textbox",
            "data-testid": "expression-editor",
            ...(describedBy ? { "aria-describedby": describedBy } : {}),
          }),
          EditorView.domEventHandlers({
            // A field dragged from the input view goes in as its path, where it is dropped.
            drop(event, editor) {
              const path = event.dataTransfer?.getData(REFERENCE_TYPE);
              if (!path || readOnly) return false;
              event.preventDefault();
              const at = editor.posAtCoords({ x: event.clientX, y: event.clientY }) ?? editor.state.selection.main.head;
              editor.dispatch({ changes: { from: at, insert: path }, selection: { anchor: at + path.length } });
              editor.focus();
              return true;
            },
          }),
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

  return (
    <div
      id={id}
      ref={host}
      className="mt-1 min-h-[4.5rem] overflow-auto rounded-md border border-slate-300 bg-white font-mono text-[13px]"
    />
  );
}
