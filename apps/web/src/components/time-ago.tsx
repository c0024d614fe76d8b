const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
  ["second", 1_000],
];

const format = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "3 minutes ago", with the exact time on hover. */
export function TimeAgo({ at }: { at: Date | string }) {
  const date = new Date(at);
  const elapsed = date.getTime() - Date.now();
  const [unit, size] = UNITS.find(([, size]) => Math.abs(elapsed) >= size) ?? ["second", 1_000];
  return (
    <time dateTime={date.toISOString()} title={date.toLocaleString()}>
      {format.format(Math.round(elapsed / size), unit)}
    </time>
  );
}
