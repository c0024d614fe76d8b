import { describe, expect, it } from "vitest";
import { nextFireTimes, repeatOptions, type Timing, timingProblem } from "./schedule-timing.ts";

const timing = (fields: Partial<Timing>): Timing => ({ timezone: "UTC", missed: "run-once", ...fields });
const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

describe("schedule timing", () => {
  it("computes cron fire times in the trigger's time zone, across a daylight saving change", () => {
    const from = new Date("2026-10-23T12:00:00Z");
    const times = nextFireTimes(timing({ cron: "0 9 * * 1-5", timezone: "Europe/Berlin" }), { from, count: 5 });
    // 9:00 in Berlin is 07:00Z in summer time and 08:00Z after the clocks go back on 25 October.
    expect(iso(times)).toEqual([
      "2026-10-26T08:00:00.000Z",
      "2026-10-27T08:00:00.000Z",
      "2026-10-28T08:00:00.000Z",
      "2026-10-29T08:00:00.000Z",
      "2026-10-30T08:00:00.000Z",
    ]);
  });

  it("fires an interval at once, then every interval, and stops at the end", () => {
    const from = new Date("2026-01-01T00:00:00Z");
    const times = nextFireTimes(timing({ intervalSeconds: 90, endAt: "2026-01-01T00:03:00Z" }), { from, count: 5 });
    expect(iso(times)).toEqual(["2026-01-01T00:00:00.000Z", "2026-01-01T00:01:30.000Z", "2026-01-01T00:03:00.000Z"]);
  });

  it("waits for the start", () => {
    const from = new Date("2026-01-01T00:00:00Z");
    const times = nextFireTimes(timing({ cron: "*/30 * * * *", startAt: "2026-02-01T10:10:00Z" }), { from, count: 2 });
    expect(iso(times)).toEqual(["2026-02-01T10:30:00.000Z", "2026-02-01T11:00:00.000Z"]);
  });

  it("names the field at fault", () => {
    expect(timingProblem(timing({}))).toEqual({
      field: "cron",
      message: "Set when it runs: a cron expression (e.g. 0 7 * * 1-5) or an interval.",
    });
    expect(timingProblem(timing({ cron: "* * *", intervalSeconds: 5 }))).toEqual({
      field: "cron",
      message: "Set either a cron expression or an interval, not both.",
    });
    expect(timingProblem(timing({ cron: "61 * * * *" }))?.message).toMatch(/Not a cron expression/);
    expect(timingProblem(timing({ cron: "0 * * * *", timezone: "Mars/Olympus" }))?.field).toBe("timezone");
    expect(
      timingProblem(timing({ intervalSeconds: 5, startAt: "2026-02-01T00:00:00Z", endAt: "2026-01-01T00:00:00Z" }))
        ?.field,
    ).toBe("endAt");
    expect(timingProblem(timing({ cron: "0 9 * * 1-5", timezone: "America/New_York" }))).toBeNull();
  });

  it("gives BullMQ a pattern with its zone, or an interval in milliseconds", () => {
    expect(repeatOptions(timing({ cron: "0 9 * * *", timezone: "Asia/Tokyo" }))).toEqual({
      pattern: "0 9 * * *",
      tz: "Asia/Tokyo",
    });
    expect(repeatOptions(timing({ intervalSeconds: 5, startAt: "2026-01-01T00:00:00Z" }))).toEqual({
      every: 5000,
      startDate: Date.parse("2026-01-01T00:00:00Z"),
    });
  });
});
