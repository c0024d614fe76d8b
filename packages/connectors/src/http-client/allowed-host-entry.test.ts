import { describe, expect, it } from "vitest";
import { createAddressPolicy } from "./address-policy.ts";
import { allowedHostEntryProblem } from "./allowed-host-entry.ts";

describe("allowed-hosts entries", () => {
  it.each([
    "db.internal",
    "*.corp.example",
    "db.internal:5432",
    "10.1.2.3",
    "10.1.2.3:8080",
    "10.0.0.0/8",
    "fd00::/8",
    "::1",
    "[::1]:8080",
  ])("accepts %s", (entry) => {
    expect(allowedHostEntryProblem(entry)).toBeNull();
  });

  it.each([
    ["", /cannot be empty/],
    ["10.0.0.0/33", /not a CIDR range/],
    ["0.0.0.0/0", /every address/],
    ["10.0.0.0/4", /too wide/],
    ["300.1.1.1", /each of its four parts/],
    ["db.internal:99999", /valid port/],
    ["http://db.internal", /write only its host/],
    ["db internal", /not a host name/],
  ])("refuses %j with a reason", (entry, reason) => {
    expect(allowedHostEntryProblem(entry)).toMatch(reason);
  });

  it("lets the guard match an entry written with a port by its host", () => {
    const policy = createAddressPolicy({ allowHosts: ["db.internal:5432", "10.1.2.3:80", "[::1]:8080"] });
    expect(policy.checkAddress("db.internal", "10.9.9.9").allowed).toBe(true);
    expect(policy.checkAddress("10.1.2.3", "10.1.2.3").allowed).toBe(true);
    expect(policy.checkAddress("::1", "::1").allowed).toBe(true);
    expect(policy.checkAddress("other.internal", "10.9.9.9").allowed).toBe(false);
  });
});
