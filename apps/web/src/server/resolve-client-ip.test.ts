import { describe, expect, it } from "vitest";
import { resolveClientIp } from "./resolve-client-ip.ts";

describe("resolveClientIp", () => {
  it("uses the socket address when no proxy is trusted, ignoring a spoofed header", () => {
    expect(resolveClientIp({ remoteAddress: "203.0.113.9", forwardedFor: "1.2.3.4", hops: 0 })).toBe("203.0.113.9");
  });

  it("takes the address the trusted proxy saw", () => {
    expect(resolveClientIp({ remoteAddress: "10.0.0.2", forwardedFor: "1.2.3.4, 198.51.100.7", hops: 1 })).toBe(
      "198.51.100.7",
    );
  });

  it("does not walk past the chain", () => {
    expect(resolveClientIp({ remoteAddress: "10.0.0.2", forwardedFor: undefined, hops: 2 })).toBe("10.0.0.2");
  });

  it("unwraps IPv4-mapped IPv6", () => {
    expect(resolveClientIp({ remoteAddress: "::ffff:127.0.0.1", forwardedFor: undefined, hops: 0 })).toBe("127.0.0.1");
    expect(resolveClientIp({ remoteAddress: "::1", forwardedFor: undefined, hops: 0 })).toBe("::1");
  });
});
