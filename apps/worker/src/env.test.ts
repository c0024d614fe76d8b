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
});
