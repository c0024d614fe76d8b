// The ingress keeps each workspace's routes and rules for a moment: publishing, pausing or editing a rule
// takes effect within `ttlMs`, and a burst of calls costs one load.
import { type Db, loadWebhookWorkspace, type SecretBox, type WebhookWorkspace } from "@tributary/core";

const CAPACITY = 10_000;

export function createWorkspaceCache({ db, secretBox, ttlMs }: { db: Db; secretBox: SecretBox; ttlMs: number }) {
  const entries = new Map<string, { at: number; value: Promise<WebhookWorkspace | null> }>();
  return function webhookWorkspace({
    slug,
    isTest,
  }: {
    slug: string;
    isTest: boolean;
  }): Promise<WebhookWorkspace | null> {
    const key = `${isTest ? "test" : "live"}:${slug}`;
    const hit = entries.get(key);
    if (hit && Date.now() - hit.at < ttlMs) return hit.value;
    const value = loadWebhookWorkspace({ db, secretBox, slug, isTest });
    value.catch(() => entries.delete(key));
    if (entries.size >= CAPACITY) entries.delete(entries.keys().next().value as string);
    entries.set(key, { at: Date.now(), value });
    return value;
  };
}
