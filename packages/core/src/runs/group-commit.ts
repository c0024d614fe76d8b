// Group commit: work handed in while a flush of the same key is under way waits for the next flush, so
// concurrent callers share one transaction — one round trip and one disk flush — instead of paying for their
// own. A lone caller is flushed at once (on the next turn of the event loop), so it waits for nobody.

export type GroupCommit<Item, Result> = (key: string, item: Item) => Promise<Result>;

export function createGroupCommit<Item, Result>({
  flush,
  maxBatch = 256,
  maxInFlight = 2,
}: {
  /** Does the work of one batch of one key; returns one result per item, in order. */
  flush: (key: string, items: Item[]) => Promise<Result[]>;
  maxBatch?: number;
  /** Flushes of one key at a time; callers arriving meanwhile gather into the next. */
  maxInFlight?: number;
}): GroupCommit<Item, Result> {
  type Waiting = { item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void };
  const queues = new Map<string, { waiting: Waiting[]; inFlight: number }>();
  const ready = new Set<string>();
  let scheduled = false;

  const schedule = (key: string) => {
    ready.add(key);
    if (scheduled) return;
    scheduled = true;
    setImmediate(drain);
  };

  function drain() {
    scheduled = false;
    for (const key of [...ready]) {
      ready.delete(key);
      const queue = queues.get(key);
      if (!queue) continue;
      while (queue.waiting.length > 0 && queue.inFlight < maxInFlight) {
        const batch = queue.waiting.splice(0, maxBatch);
        queue.inFlight++;
        flush(
          key,
          batch.map((w) => w.item),
        )
          .then(
            (results) => {
              batch.forEach((w, i) => {
                w.resolve(results[i] as Result);
              });
            },
            (error: unknown) => {
              for (const w of batch) w.reject(error);
            },
          )
          .finally(() => {
            queue.inFlight--;
            if (queue.waiting.length > 0) schedule(key);
            else if (queue.inFlight === 0) queues.delete(key);
          });
      }
    }
  }

  return (key, item) =>
    new Promise<Result>((resolve, reject) => {
      let queue = queues.get(key);
      if (!queue) {
        queue = { waiting: [], inFlight: 0 };
        queues.set(key, queue);
      }
      queue.waiting.push({ item, resolve, reject });
      schedule(key);
    });
}
