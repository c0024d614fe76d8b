"use client";
// Which version a re-run runs, stated where the user starts one: the flow's current version by default (a
// re-run is usually a try after a fix), or the version the run used.

export type RerunVersion = "current" | "original";

export function RerunVersionChoice({
  value,
  onChange,
  current,
  original,
  name,
}: {
  value: RerunVersion;
  onChange: (value: RerunVersion) => void;
  /** How to name the current version ("the current version (v4)"), or null when none is published. */
  current: string | null;
  /** How to name the version a run used. */
  original: string;
  name: string;
}) {
  const options: { value: RerunVersion; label: string; disabled: boolean }[] = [
    { value: "current", label: current ?? "The current version (none is published)", disabled: current === null },
    { value: "original", label: original, disabled: false },
  ];
  return (
    <fieldset className="text-sm">
      <legend className="font-medium text-slate-700">Re-run on</legend>
      <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
        {options.map((option) => (
          <label key={option.value} className="inline-flex items-center gap-1.5">
            <input
              type="radio"
              name={name}
              value={option.value}
              checked={value === option.value}
              disabled={option.disabled}
              onChange={() => onChange(option.value)}
            />
            {option.label}
          </label>
        ))}
      </div>
      <p className="mt-1 text-xs text-slate-500">
        The current version is the default, so a fix you published takes effect.
      </p>
    </fieldset>
  );
}
