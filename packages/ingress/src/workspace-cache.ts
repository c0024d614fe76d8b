// The ingress keeps each workspace's routes and rules for `ttlMs`: publishing, pausing or editing a rule takes
// effect within it, and a burst of calls costs one load. Routes are refreshed ahead of time, behind the
// calls, once half of that has passed, so a workspace that keeps being called never makes a call wait for a
// load; routes are never used once `ttlMs` has passed since their load began.
import { type Db, loadWebhookWorkspace, type SecretBox, type WebhookWorkspace } from "@tributary/core";

const CAPACITY = 10_000;

export type WorkspaceKey = { slug: string; isTest: boolean };

type Entry = {
  /** When the load of this value began: what was committed before then is in it. */
  at: number;
  value: Promise<WebhookWorkspace | null>;
  /** The load ahead of time under way, if any. */
  next: Entry | undefined;
};

export function createWorkspaceCache({
  db,
  secretBox,
  ttlMs,
  load = ({ slug, isTest }) => loadWebhookWorkspace({ db, secretBox, slug, isTest }),
}: {
  db: Db;
  secretBox: SecretBox;
  ttlMs: number;
  load?: (key: WorkspaceKey) => Promise<WebhookWorkspace | null>;
}) {
  const entries = new Map<string, Entry>();

  /** Starts a load; its entry takes the key's place once loaded (`now`), or at once when nothing is there. */
  const start = (id: string, key: WorkspaceKey, now: boolean): Entry => {
    const entry: Entry = { at: Date.now(), value: load(key), next: undefined };
    entry.value.then(
      () => {
        // Unless a load begun later is there already.
        if (!now && (entries.get(id)?.at ?? 0) <= entry.at) entries.set(id, entry);
      },
      () => {
        if (entries.get(id) === entry) entries.delete(id);
      },
    );
    if (now) {
      if (entries.size >= CAPACITY && !entries.has(id)) entries.delete(entries.keys().next().value as string);
      entries.set(id, entry);
    }
    return entry;
  };

  return function webhookWorkspace(key: WorkspaceKey): Promise<WebhookWorkspace | null> {
    const id = `${key.isTest ? "test" : "live"}:${key.slug}`;
    const hit = entries.get(id);
    const age = hit ? Date.now() - hit.at : Number.POSITIVE_INFINITY;
    if (!hit || age >= ttlMs) {
      // Too old to use: the load ahead of time if one is under way (begun within the time), else a new one.
      const next = hit?.next;
      return next && Date.now() - next.at < ttlMs ? next.value : start(id, key, true).value;
    }
    if (age >= ttlMs / 2 && !hit.next) {
      const next = start(id, key, false);
      hit.next = next;
      // A failed load ahead of time is tried again by a later call.
      next.value.catch(() => {
        if (hit.next === next) hit.next = undefined;
      });
    }
    return hit.value;
  };
}
