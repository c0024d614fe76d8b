"use client";
import type { PaletteEntry } from "@tributary/core";
import { useMemo, useState } from "react";

export const DRAG_TYPE = "application/x-tributary-step";

/** Step types by category, searchable; click adds after the selected step, drag drops where you let go. */
export function Palette({ entries, onAdd }: { entries: PaletteEntry[]; onAdd: (entry: PaletteEntry) => void }) {
  const [search, setSearch] = useState("");
  const groups = useMemo(() => {
    const words = search.trim().toLowerCase();
    const matching = entries.filter(
      (entry) => !words || `${entry.title} ${entry.description} ${entry.type}`.toLowerCase().includes(words),
    );
    const byCategory = new Map<string, PaletteEntry[]>();
    for (const entry of matching) byCategory.set(entry.category, [...(byCategory.get(entry.category) ?? []), entry]);
    return [...byCategory.entries()];
  }, [entries, search]);

  return (
    <aside aria-label="Steps" className="flex w-60 shrink-0 flex-col border-r border-slate-200 bg-white">
      <div className="p-3">
        <input
          type="search"
          aria-label="Search steps"
          placeholder="Search steps"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          className="w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm"
        />
      </div>
      <div className="flex-1 overflow-y-auto px-3 pb-3">
        {groups.length === 0 ? <p className="text-sm text-slate-500">No step matches “{search}”.</p> : null}
        {groups.map(([category, items]) => (
          <section key={category} className="mb-3">
            <h3 className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">{category}</h3>
            <ul className="space-y-1">
              {items.map((entry) => (
                <li key={entry.type}>
                  <button
                    type="button"
                    draggable
                    onDragStart={(event) => {
                      event.dataTransfer.setData(DRAG_TYPE, entry.type);
                      event.dataTransfer.effectAllowed = "move";
                    }}
                    onClick={() => onAdd(entry)}
                    title={entry.description}
                    className="w-full cursor-grab rounded-md border border-slate-200 px-2.5 py-1.5 text-left text-sm hover:border-brand-300 hover:bg-brand-50"
                  >
                    {entry.title}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </aside>
  );
}
