"use client";
// The border between the canvas and the panel: dragged with the mouse, or moved with the arrow keys, it gives
// either side more room (a step's panel takes half of a laptop's screen). The width chosen is kept in this
// browser; a double click gives the panel back its own width.
import { type KeyboardEvent, type PointerEvent, type RefObject, useCallback, useEffect, useState } from "react";

const STORAGE_KEY = "tributary.builder.panelWidth";
const MIN_WIDTH = 320;
/** The canvas keeps at least this share of the window. */
const MIN_CANVAS_SHARE = 0.3;
const KEY_STEP = 32;

const clamp = (width: number) =>
  Math.round(Math.max(MIN_WIDTH, Math.min(width, window.innerWidth * (1 - MIN_CANVAS_SHARE))));

/** The panel's width chosen by the person (null: the panel's own), kept in this browser. */
export function usePanelWidth(): [number | null, (width: number | null) => void] {
  const [width, setWidth] = useState<number | null>(null);
  useEffect(() => {
    const stored = Number(window.localStorage.getItem(STORAGE_KEY));
    if (stored > 0) setWidth(clamp(stored));
  }, []);
  const choose = useCallback((next: number | null) => {
    const chosen = next === null ? null : clamp(next);
    setWidth(chosen);
    if (chosen === null) window.localStorage.removeItem(STORAGE_KEY);
    else window.localStorage.setItem(STORAGE_KEY, String(chosen));
  }, []);
  return [width, choose];
}

export function PanelResizer({
  panel,
  onResize,
}: {
  /** The panel, on the resizer's right. */
  panel: RefObject<HTMLElement | null>;
  onResize: (width: number | null) => void;
}) {
  const [width, setWidth] = useState(0);
  // The width shown to assistive technology follows the panel's, whichever set it.
  useEffect(() => {
    const element = panel.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setWidth(Math.round(element.getBoundingClientRect().width)));
    observer.observe(element);
    return () => observer.disconnect();
  }, [panel]);

  const drag = (event: PointerEvent<HTMLDivElement>) => {
    const element = panel.current;
    if (!element || event.button !== 0) return;
    event.preventDefault();
    const right = element.getBoundingClientRect().right;
    const handle = event.currentTarget;
    handle.setPointerCapture(event.pointerId);
    const move = (moved: globalThis.PointerEvent) => onResize(right - moved.clientX);
    const end = () => {
      handle.removeEventListener("pointermove", move);
      handle.removeEventListener("pointerup", end);
      handle.removeEventListener("pointercancel", end);
    };
    handle.addEventListener("pointermove", move);
    handle.addEventListener("pointerup", end);
    handle.addEventListener("pointercancel", end);
  };

  const keys = (event: KeyboardEvent<HTMLDivElement>) => {
    const by = event.key === "ArrowLeft" ? KEY_STEP : event.key === "ArrowRight" ? -KEY_STEP : 0;
    if (!by) return;
    event.preventDefault();
    onResize(width + by);
  };

  return (
    // biome-ignore lint/a11y/useSemanticElements: a focusable separator is the ARIA pattern for a splitter; <hr> cannot take focus or a drag
    <div
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize the panel"
      aria-valuenow={width}
      aria-valuemin={MIN_WIDTH}
      tabIndex={0}
      title="Drag to resize the panel; double-click for its own width"
      onPointerDown={drag}
      onDoubleClick={() => onResize(null)}
      onKeyDown={keys}
      className="w-1.5 shrink-0 cursor-col-resize touch-none bg-slate-100 hover:bg-brand-200 focus-visible:bg-brand-300 focus-visible:outline-none"
    />
  );
}
