import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { createClientPools, poolKey } from "./pools.ts";

describe("client pools", () => {
  it("opens one client per key, reuses it, and closes it once idle", async () => {
    const pools = createClientPools({ idleMs: 200 });
    const opened: string[] = [];
    const closed: string[] = [];
    const open = (name: string) => async () => {
      opened.push(name);
      return name;
    };
    const close = async (name: string) => {
      closed.push(name);
    };
    expect(await pools.use("a", open("a"), close)).toBe("a");
    expect(await pools.use("a", open("a2"), close)).toBe("a");
    expect(opened).toEqual(["a"]);
    await sleep(800);
    expect(closed).toEqual(["a"]);
    expect(await pools.use("a", open("a3"), close)).toBe("a3");
    await pools.close();
    expect(closed).toEqual(["a", "a3"]);
  });

  it("forgets a client whose opening failed, so the next use tries again", async () => {
    const pools = createClientPools();
    await expect(
      pools.use(
        "k",
        () => Promise.reject(new Error("refused")),
        async () => undefined,
      ),
    ).rejects.toThrow("refused");
    expect(
      await pools.use(
        "k",
        async () => "second",
        async () => undefined,
      ),
    ).toBe("second");
    await pools.close();
  });

  it("replaces a client that is no longer alive", async () => {
    const pools = createClientPools();
    const broken = { alive: false };
    await pools.use(
      "k",
      async () => broken,
      async () => undefined,
      (client) => client.alive,
    );
    await Promise.resolve();
    expect(
      await pools.use(
        "k",
        async () => ({ alive: true }),
        async () => undefined,
        (client) => client.alive,
      ),
    ).toEqual({
      alive: true,
    });
    await pools.close();
  });

  it("keys a connection by its id and settings", () => {
    const a = poolKey({ id: "c1", config: { host: "db" } });
    expect(poolKey({ id: "c1", config: { host: "db" } })).toBe(a);
    expect(poolKey({ id: "c1", config: { host: "db2" } })).not.toBe(a);
  });
});
