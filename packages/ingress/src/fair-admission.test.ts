import { describe, expect, it } from "vitest";
import { createFairAdmission, type Turn } from "./fair-admission.ts";

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

async function admitted(turns: Promise<Turn | null>[]): Promise<Turn[]> {
  const states = await Promise.all(turns.map((turn) => Promise.race([turn, settled().then(() => "waiting")])));
  return states.filter((state): state is Turn => typeof state === "object" && state !== null);
}

describe("fair admission", () => {
  it("holds back nobody who calls alone, however many calls", async () => {
    const admission = createFairAdmission({ capacity: 4 });
    const turns = Array.from({ length: 50 }, () => admission.admit("a"));
    expect(await admitted(turns)).toHaveLength(50);
  });

  it("when full and another workspace calls, lets it in and holds the flood to its share", async () => {
    const admission = createFairAdmission({ capacity: 4 });
    const flood = Array.from({ length: 8 }, () => admission.admit("a"));
    const floodIn = await admitted(flood);
    expect(floodIn).toHaveLength(8);
    const steady = await admission.admit("b");
    expect(steady).not.toBeNull();
    // A holds 8 and B 1 of 4; A's share is now 2: its next call waits while the process is full and A over it.
    const next = admission.admit("a");
    for (const turn of floodIn.slice(0, 5)) turn.release();
    expect(await admitted([next])).toHaveLength(0);
    floodIn[5]?.release();
    expect(await admitted([next])).toHaveLength(1);
  });

  it("gives a freed turn to the waiting workspace with the fewest calls in progress", async () => {
    const admission = createFairAdmission({ capacity: 2 });
    const first = await admitted([admission.admit("a"), admission.admit("b")]);
    const waiting = [admission.admit("a"), admission.admit("a"), admission.admit("b"), admission.admit("b")];
    const order: string[] = [];
    waiting.forEach((turn, index) => {
      void turn.then((got) => {
        order.push(index < 2 ? "a" : "b");
        setTimeout(() => got?.release(), 0);
      });
    });
    for (const turn of first) turn.release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(order).toEqual(["a", "b", "a", "b"]);
  });

  it("gives up on a call that waited too long, which then holds nothing", async () => {
    const admission = createFairAdmission({ capacity: 1, maxWaitMs: 20 });
    const a = await admission.admit("a");
    await admission.admit("b");
    expect(await admission.admit("a")).toBeNull();
    a?.release();
    a?.release();
    expect(await admitted([admission.admit("a")])).toHaveLength(1);
  });
});
