"use client";

export const SHORTCUTS: [string, string][] = [
  ["Ctrl/⌘ Z", "Undo"],
  ["Ctrl/⌘ Shift Z, Ctrl Y", "Redo"],
  ["Ctrl/⌘ C, Ctrl/⌘ V", "Copy and paste steps"],
  ["Ctrl/⌘ A", "Select all steps"],
  ["Delete, Backspace", "Delete the selection"],
  ["Shift 1", "Zoom to fit"],
  ["Shift-drag", "Select several steps"],
];

/** The builder's keyboard shortcuts, in a popover. */
export function ShortcutsHelp() {
  return (
    <details className="relative">
      <summary
        className="cursor-pointer list-none rounded-md px-2.5 py-1.5 text-sm text-slate-600 hover:bg-slate-100"
        aria-label="Keyboard shortcuts"
      >
        ⌨
      </summary>
      <div className="absolute right-0 z-20 mt-1 w-72 rounded-md border border-slate-200 bg-white p-3 shadow-lg">
        <h3 className="mb-2 text-sm font-semibold">Keyboard shortcuts</h3>
        <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
          {SHORTCUTS.map(([keys, what]) => (
            <div key={keys} className="contents">
              <dt className="font-mono text-slate-600">{keys}</dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
      </div>
    </details>
  );
}
