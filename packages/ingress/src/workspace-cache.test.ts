// The cache's policy, with a loader that counts its calls and answers when the test says so.
import type { WebhookWorkspace } from "@tributary/core";
import { describe, expect, it } from "vitest";
import { createWorkspaceCache, type WorkspaceKey } from "./workspace-cache.ts";

function loader() {
  const pending: { resolve: (value: WebhookWorkspace | null) => void; reject: (error: Error) => void }[] = [];
  const load = (_key: WorkspaceKey) =>
    new Promise<WebhookWorkspace | null>((resolve, reject) => {
      pending.push({ resolve, reject });
    });
  return { load, pending };
}

const version = (n: number) => ({ workspaceId: `version-${n}` }) as unknown as WebhookWorkspace;
const key = { slug: "acme", isTest: false };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function cacheWith(load: (key: WorkspaceKey) => Promise<WebhookWorkspace | null>, ttlMs: number) {
  return createWorkspaceCache({ db: undefined as never, secretBox: undefined as never, ttlMs, load });
}

describe("the ingress's workspace cache", () => {
  it("loads a workspace once for a burst of calls", async () => {
    const { load, pending } = loader();
    const cache = cacheWith(load, 1_000);
    const calls = [cache(key), cache(key), cache(key)];
    expect(pending).toHaveLength(1);
    pending[0]?.resolve(version(1));
    expect(await Promise.all(calls)).toEqual([version(1), version(1), version(1)]);
  });

  it("refreshes ahead of time behind the calls, so a workspace called steadily never waits for a load", async () => {
    const { load, pending } = loader();
    const cache = cacheWith(load, 200);
    const first = cache(key);
    pending[0]?.resolve(version(1));
    await first;
    await sleep(120);
    // Past half its time: served at once, and one load ahead begins.
    expect(await cache(key)).toEqual(version(1));
    expect(await cache(key)).toEqual(version(1));
    expect(pending).toHaveLength(2);
    pending[1]?.resolve(version(2));
    await sleep(0);
    expect(await cache(key)).toEqual(version(2));
    expect(pending).toHaveLength(2);
  });

  it("never serves routes whose load began longer ago than its time", async () => {
    const { load, pending } = loader();
    const cache = cacheWith(load, 100);
    const first = cache(key);
    pending[0]?.resolve(version(1));
    await first;
    await sleep(60);
    expect(await cache(key)).toEqual(version(1));
    await sleep(60);
    // The load ahead has not answered and the routes are too old: the call waits for that load.
    const waiting = cache(key);
    expect(pending).toHaveLength(2);
    pending[1]?.resolve(version(2));
    expect(await waiting).toEqual(version(2));
  });

  it("forgets a load that failed: the next call tries again", async () => {
    const { load, pending } = loader();
    const cache = cacheWith(load, 1_000);
    const first = cache(key);
    pending[0]?.reject(new Error("database down"));
    await expect(first).rejects.toThrow("database down");
    const second = cache(key);
    expect(pending).toHaveLength(2);
    pending[1]?.resolve(version(1));
    expect(await second).toEqual(version(1));
  });

  it("keeps nothing when its time is zero", async () => {
    const { load, pending } = loader();
    const cache = cacheWith(load, 0);
    const first = cache(key);
    pending[0]?.resolve(version(1));
    await first;
    const second = cache(key);
    expect(pending).toHaveLength(2);
    pending[1]?.resolve(version(2));
    expect(await second).toEqual(version(2));
  });
});
