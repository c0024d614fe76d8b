// Clients of connections — database pools, broker connections, mail transports — kept open between steps and
// runs, one per connection and its settings, and closed once unused for a while. Changing a connection's
// settings gives it a new client; the old one closes when idle.
import { createHash } from "node:crypto";

export type ClientPools = {
  /**
   * The open client under `key`, opened now if there is none, the last open failed, or `alive` says the one
   * there is broken (a broker connection that closed).
   */
  use<T>(
    key: string,
    open: () => Promise<T>,
    close: (client: T) => Promise<void>,
    alive?: (client: T) => boolean,
  ): Promise<T>;
  close(): Promise<void>;
};

type Entry = { client: Promise<unknown>; opened?: unknown; close: (client: never) => Promise<void>; lastUsed: number };

export function createClientPools({ idleMs = 60_000 }: { idleMs?: number } = {}): ClientPools {
  const entries = new Map<string, Entry>();

  const closeEntry = async (key: string, entry: Entry) => {
    entries.delete(key);
    const client = await entry.client.catch(() => null);
    if (client !== null) await entry.close(client as never).catch(() => undefined);
  };

  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const [key, entry] of entries) if (now - entry.lastUsed > idleMs) void closeEntry(key, entry);
    },
    Math.max(100, idleMs / 2),
  );
  sweep.unref();

  return {
    async use<T>(
      key: string,
      open: () => Promise<T>,
      close: (client: T) => Promise<void>,
      alive?: (client: T) => boolean,
    ): Promise<T> {
      let entry = entries.get(key);
      if (entry && alive && entry.opened !== undefined && !alive(entry.opened as T)) {
        void closeEntry(key, entry);
        entry = undefined;
      }
      if (!entry) {
        const opening: Entry = {
          client: open(),
          close: close as (client: never) => Promise<void>,
          lastUsed: Date.now(),
        };
        entries.set(key, opening);
        opening.client.then(
          (client) => {
            opening.opened = client;
          },
          () => {
            if (entries.get(key) === opening) entries.delete(key);
          },
        );
        entry = opening;
      }
      entry.lastUsed = Date.now();
      return entry.client as Promise<T>;
    },
    async close() {
      clearInterval(sweep);
      await Promise.all([...entries].map(([key, entry]) => closeEntry(key, entry)));
    },
  };
}

/** The pool key of a connection: its id and a digest of its settings. */
export function poolKey(connection: { id: string; config: Record<string, unknown> }): string {
  return `${connection.id}:${createHash("sha256").update(JSON.stringify(connection.config)).digest("base64url")}`;
}
