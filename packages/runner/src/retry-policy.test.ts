import { describe, expect, it } from "vitest";
import { backoffMs, shouldRetry } from "./retry-policy.ts";

const policy = { attempts: 4, initialDelayMs: 1_000, maxDelayMs: 10_000, multiplier: 3, retryOn: "transient" as const };

describe("retry policy", () => {
  it("retries transient failures until the attempts are used", () => {
    expect(shouldRetry({ policy, attempt: 1, transient: true })).toBe(true);
    expect(shouldRetry({ policy, attempt: 4, transient: true })).toBe(false);
    expect(shouldRetry({ policy, attempt: 1, transient: false })).toBe(false);
    expect(shouldRetry({ policy: { ...policy, retryOn: "all" }, attempt: 1, transient: false })).toBe(true);
  });

  it("backs off exponentially with jitter, capped", () => {
    expect(backoffMs({ policy, attempt: 1, random: () => 0.5 })).toBe(1_000);
    expect(backoffMs({ policy, attempt: 2, random: () => 0.5 })).toBe(3_000);
    expect(backoffMs({ policy, attempt: 3, random: () => 0.5 })).toBe(9_000);
    expect(backoffMs({ policy, attempt: 4, random: () => 0.5 })).toBe(10_000);
    expect(backoffMs({ policy, attempt: 1, random: () => 0 })).toBe(500);
    expect(backoffMs({ policy, attempt: 1, random: () => 0.999 })).toBe(1_499);
  });
});
