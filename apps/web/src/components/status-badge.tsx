const TONES: Record<string, string> = {
  succeeded: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  failed: "bg-red-50 text-red-700 ring-red-200",
  running: "bg-blue-50 text-blue-700 ring-blue-200",
  queued: "bg-slate-50 text-slate-600 ring-slate-200",
  waiting: "bg-amber-50 text-amber-700 ring-amber-200",
  cancelled: "bg-slate-50 text-slate-500 ring-slate-200",
  active: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  paused: "bg-amber-50 text-amber-700 ring-amber-200",
  draft: "bg-slate-50 text-slate-600 ring-slate-200",
  "had errors": "bg-orange-50 text-orange-700 ring-orange-200",
  open: "bg-red-50 text-red-700 ring-red-200",
  replayed: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  discarded: "bg-slate-50 text-slate-500 ring-slate-200",
};

/** A run's or flow's status as a small coloured label. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span
      className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONES[status] ?? TONES.queued}`}
    >
      {status}
    </span>
  );
}
