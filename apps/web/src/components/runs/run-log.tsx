"use client";
// A run's life beyond its steps: when it parked and what it waited for, when it woke, when another worker took
// it over after its worker was lost, when a shutting-down worker handed it back.
import type { RunDetail } from "@tributary/core";

type Entry = RunDetail["log"][number];

function describe(entry: Entry): string {
  switch (entry.event) {
    case "parked": {
      const waits = entry.waitingFor.map((w) =>
        w.childRunId
          ? `${w.stepId} (a called flow's run)`
          : w.attempt > 1
            ? `${w.stepId} (retry ${w.attempt})`
            : w.stepId,
      );
      return `Parked until ${new Date(entry.wakeAt).toLocaleString()}, waiting for ${waits.join(", ")}. No worker is held while it waits.`;
    }
    case "woke":
      return "Woke up and went on where it was.";
    case "taken_over":
      return "Taken over: the worker running it was lost (crashed or killed). Another worker resumed it after its last checkpoint; steps without outside effects that had finished since then ran again.";
    case "handed_back":
      return "Handed back by a worker that was shutting down; another worker went on from there.";
  }
}

export function RunLog({ log }: { log: RunDetail["log"] }) {
  return (
    <section aria-labelledby="run-log" className="px-4 py-3">
      <h2 id="run-log" className="text-sm font-semibold">
        Run log
      </h2>
      <ol className="mt-2 space-y-1.5 text-sm">
        {log.map((entry) => (
          <li key={`${entry.at}-${entry.event}`} className="flex gap-3">
            <time dateTime={entry.at} className="shrink-0 font-mono text-xs text-slate-500">
              {new Date(entry.at).toLocaleTimeString()}
            </time>
            <span>{describe(entry)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
