// Concurrency slots against the real Redis: claims made at the same moment go in one script call, and each
// limit still gives no more slots than it has; releases made at the same moment free every slot.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createRunSlots, type SlotLimit } from "../../apps/worker/src/runs/run-slots.ts";
import { deleteKeysWithPrefix } from "../support/redis.ts";
import { TEST_REDIS_URL } from "../support/services.ts";
import { randomPrefix } from "../support/worker-process.ts";

const prefix = randomPrefix();
const redis = new Redis(TEST_REDIS_URL);
const slots = createRunSlots({ redis, ttlMs: 30_000 });

afterAll(async () => {
  await deleteKeysWithPrefix(prefix);
  redis.disconnect();
});

const claimAtOnce = (count: number, limits: SlotLimit[]) =>
  Promise.all(Array.from({ length: count }, () => slots.acquire({ runId: randomUUID(), limits })));

describe("run slots", () => {
  it("grants claims made at once only as far as the limit has room, and again once a slot is released", async () => {
    const limits = [{ key: `${prefix}slots:workspace`, limit: 3 }];
    const claims = await claimAtOnce(10, limits);
    const granted = claims.filter((claim) => claim !== null);

    expect(granted).toHaveLength(3);
    expect((await redis.zrange(`${prefix}slots:workspace`, "0", "-1")).sort()).toEqual(
      granted.map((claim) => claim.member).sort(),
    );
    expect(await slots.acquire({ runId: randomUUID(), limits })).toBeNull();

    await slots.release(granted[0] as NonNullable<(typeof granted)[0]>);
    expect(await slots.acquire({ runId: randomUUID(), limits })).not.toBeNull();
  });

  it("frees every slot of releases made at once (one command per limit)", async () => {
    const limits = [
      { key: `${prefix}slots:workspace-4`, limit: 5 },
      { key: `${prefix}slots:flow-4`, limit: 5 },
    ];
    const claims = await claimAtOnce(5, limits);
    expect(await claimAtOnce(1, limits)).toEqual([null]);

    await Promise.all(claims.map((claim) => slots.release(claim as NonNullable<typeof claim>)));
    expect(await redis.zcard(`${prefix}slots:workspace-4`)).toBe(0);
    expect(await redis.zcard(`${prefix}slots:flow-4`)).toBe(0);
    expect((await claimAtOnce(5, limits)).filter((claim) => claim !== null)).toHaveLength(5);
  });

  it("holds every limit a run is claimed under: the tightest one decides", async () => {
    const limits = [
      { key: `${prefix}slots:workspace-2`, limit: 5 },
      { key: `${prefix}slots:flow-2`, limit: 2 },
    ];
    const claims = await claimAtOnce(6, limits);

    expect(claims.filter((claim) => claim !== null)).toHaveLength(2);
    expect(await redis.zcard(`${prefix}slots:workspace-2`)).toBe(2);
    expect(await redis.zcard(`${prefix}slots:flow-2`)).toBe(2);
  });

  it("gives two executions of one run claims of their own", async () => {
    const runId = randomUUID();
    const limits = [{ key: `${prefix}slots:workspace-3`, limit: 2 }];
    const [first, second] = await Promise.all([slots.acquire({ runId, limits }), slots.acquire({ runId, limits })]);

    expect(first?.member).not.toBe(second?.member);
    expect(await redis.zcard(`${prefix}slots:workspace-3`)).toBe(2);
  });
});
