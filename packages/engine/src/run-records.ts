// The finished activations of a run, indexed for the planner and for `$steps`: by key, by scope, and which loop
// item scopes have started. Records are only ever added, so what is derived from them stays true and is kept
// (a loop's finished items and their results): planning a run costs what changed since the last plan, not
// what the run did so far, and a loop of 10,000 items runs in time linear in its items.
import { scopeOf } from "./activation-key.ts";
import type { StepRecord } from "./plan-run.ts";

/** A loop activation's progress: items before `firstOpen` are through, with their results in item order. */
export type LoopProgress = { firstOpen: number; results: unknown[] };

export class RunRecords {
  readonly #all: StepRecord[] = [];
  readonly #byKey = new Map<string, StepRecord>();
  readonly #byScope = new Map<string, StepRecord[]>();
  /** Every scope prefix ("each[2]/", "each[2]/inner[0]/") that holds at least one record. */
  readonly #startedScopes = new Set<string>();
  readonly #loops = new Map<string, LoopProgress>();

  constructor(records: Iterable<StepRecord> = []) {
    for (const record of records) this.add(record);
  }

  /** Adds a finished activation; one already recorded under its key is kept (the first one wins). */
  add(record: StepRecord): void {
    if (this.#byKey.has(record.key)) return;
    this.#all.push(record);
    this.#byKey.set(record.key, record);
    const scope = scopeOf(record.key);
    const inScope = this.#byScope.get(scope);
    if (inScope) inScope.push(record);
    else this.#byScope.set(scope, [record]);
    for (const prefix of scopeChain(scope)) this.#startedScopes.add(prefix);
  }

  get(key: string): StepRecord | undefined {
    return this.#byKey.get(key);
  }

  has(key: string): boolean {
    return this.#byKey.has(key);
  }

  /** In the order they were added. */
  get all(): readonly StepRecord[] {
    return this.#all;
  }

  get size(): number {
    return this.#all.length;
  }

  /** Records whose own scope is exactly `scope`, in the order they were added. */
  inScope(scope: string): readonly StepRecord[] {
    return this.#byScope.get(scope) ?? [];
  }

  /** Whether anything inside this scope (a loop item, or an item nested in it) has finished. */
  scopeStarted(scope: string): boolean {
    return this.#startedScopes.has(scope);
  }

  /** The planner's memo of a loop activation's finished items (valid because records only grow). */
  loopProgress(loopKey: string): LoopProgress {
    let progress = this.#loops.get(loopKey);
    if (!progress) {
      progress = { firstOpen: 0, results: [] };
      this.#loops.set(loopKey, progress);
    }
    return progress;
  }
}

/** The non-empty scope prefixes of a scope, outermost first: "a[1]/b[2]/" → ["a[1]/", "a[1]/b[2]/"]. */
export function scopeChain(scope: string): string[] {
  const chain: string[] = [];
  for (let slash = scope.indexOf("/"); slash >= 0; slash = scope.indexOf("/", slash + 1)) {
    chain.push(scope.slice(0, slash + 1));
  }
  return chain;
}
