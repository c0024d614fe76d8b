import { describe, expect, it } from "vitest";
import { loadEnv } from "./env.ts";

describe("worker configuration", () => {
  const base = { ENCRYPTION_KEY: "a-key" };

  it("lets demos call the sample API the web app fills into their flows ($APP_URL/api/demo) unless told another", () => {
    expect(loadEnv({ ...base, APP_URL: "https://tributary.example.com" }).DEMO_API_URL).toBe(
      "https://tributary.example.com/api/demo",
    );
    expect(loadEnv({ ...base, PORT: "4100" }).DEMO_API_URL).toBe("http://localhost:4100/api/demo");
    expect(
      loadEnv({ ...base, APP_URL: "https://a.example", DEMO_API_URL: "http://web:3000/api/demo" }).DEMO_API_URL,
    ).toBe("http://web:3000/api/demo");
  });

  it("reads OUTBOUND_ALLOWED_HOSTS as a list, and refuses an entry that is no host, address or range", () => {
    expect(loadEnv(base).OUTBOUND_ALLOWED_HOSTS).toEqual([]);
    expect(
      loadEnv({ ...base, OUTBOUND_ALLOWED_HOSTS: "10.0.0.0/8, db.lan:5432 *.corp.example" }).OUTBOUND_ALLOWED_HOSTS,
    ).toEqual(["10.0.0.0/8", "db.lan:5432", "*.corp.example"]);
    expect(() => loadEnv({ ...base, OUTBOUND_ALLOWED_HOSTS: "10.0.0.0/8,10.0.0.0/40" })).toThrow(
      /OUTBOUND_ALLOWED_HOSTS: "10.0.0.0\/40" is not a CIDR range/,
    );
  });
});
