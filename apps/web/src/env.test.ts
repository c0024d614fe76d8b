import { describe, expect, it } from "vitest";
import { parseEnv } from "./env.ts";

const base = { AUTH_SECRET: "s".repeat(32), ENCRYPTION_KEY: "k" };

describe("web configuration", () => {
  it("refuses mail without APP_URL, so no mailed link is made from a host a request names", () => {
    expect(() => parseEnv({ ...base, SMTP_URL: "smtp://127.0.0.1:2525" })).toThrow(/APP_URL is required when SMTP_URL/);
    expect(parseEnv({ ...base, SMTP_URL: "smtp://127.0.0.1:2525", APP_URL: "https://t.example" }).APP_URL).toBe(
      "https://t.example",
    );
    expect(parseEnv(base).APP_URL).toBeUndefined();
  });
});
