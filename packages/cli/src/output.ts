// Human output by default, JSON with --json. Tables are plain text in aligned columns, so they read well
// and still grep.

export type Output = {
  json: boolean;
  /** One line for people; nothing under --json. */
  say: (line: string) => void;
  /** The command's result: JSON under --json, else the human rendering given. */
  result: (value: unknown, human: () => void) => void;
};

export function createOutput({ json }: { json: boolean }): Output {
  return {
    json,
    say: (line) => {
      if (!json) process.stdout.write(`${line}\n`);
    },
    result: (value, human) => {
      if (json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      else human();
    },
  };
}

export function table(rows: Record<string, string>[], columns: string[]): string {
  if (!rows.length) return "";
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, index) => (index === cells.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((row) => line(columns.map((c) => row[c] ?? "")))].join(
    "\n",
  );
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** An ISO time as local "YYYY-MM-DD HH:MM:SS". */
export function when(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
