import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type ClientKind, withClient } from "./connection-clients.ts";
import type { ActionContext } from "./define.ts";
import { createClientPools } from "./pools.ts";

type Config = { host: string; port: number };

describe("withClient", () => {
  it("reads a loaded connection's settings once for all its steps, and a connection loaded again afresh", async () => {
    let parsed = 0;
    const opened: string[] = [];
    const kind: ClientKind<Config, string> = {
      type: "test",
      service: "Test server",
      config: z.object({ host: z.string(), port: z.number() }).transform((config) => {
        parsed++;
        return config;
      }),
      async open(config) {
        opened.push(`${config.host}:${config.port}`);
        return `client of ${config.host}`;
      },
      async close() {},
      async ping() {},
      describe: () => null,
    };
    const pools = createClientPools();
    const http = { resolve: async () => "127.0.0.1" } as unknown as ActionContext<unknown>["http"];
    const loaded = { id: "c1", type: "test", config: { host: "db.example", port: 5432 } };
    try {
      for (let step = 0; step < 3; step++) {
        expect(await withClient(kind, { connection: loaded, http, pools }, async (client) => client)).toBe(
          "client of db.example",
        );
      }
      expect(parsed).toBe(1);
      // The worker loads the connection again (its cache lapsed) and finds its settings changed.
      const reloaded = { ...loaded, config: { host: "db2.example", port: 5432 } };
      expect(await withClient(kind, { connection: reloaded, http, pools }, async (client) => client)).toBe(
        "client of db2.example",
      );
      expect(parsed).toBe(2);
      expect(opened).toEqual(["db.example:5432", "db2.example:5432"]);
    } finally {
      await pools.close();
    }
  });
});
